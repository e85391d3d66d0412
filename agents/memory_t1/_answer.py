"""Stage 2: typed answer from the LLM (format always valid) plus principled deterministic evidence help."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, create_model

from goalgraph.llm import literal_of

from ._types import Answer, Ranked

__all__ = ["answer_format", "answer_output_type", "build_prompt", "finalize_answer", "options_of"]

_OPTION = re.compile(r"(?m)^\s*([A-H])[.)]\s*(.+?)\s*$")
_FACT = re.compile(r"(?m)^\s*\((\d+)\)\s*(.+?)\s*$")
_MULTI_TASKS = {"extract"}


def options_of(question: str) -> dict[str, str]:
    """Choice letters -> option text, from 'A. text' lines."""
    return {m[1]: m[2] for m in _OPTION.finditer(question)}


def facts_of(question: str) -> dict[int, str]:
    """Numbered facts '(n) text' of an ordering question."""
    return {int(m[1]): m[2] for m in _FACT.finditer(question)}


def answer_format(task: str, question: str) -> str:
    """'choice', 'multi', 'order' or 'text', from the task name and the question's shape."""
    if facts_of(question) and ("chronological" in question.lower() or task.lower() == "timeline"):
        return "order"
    if options_of(question):
        return "multi" if task.lower() in _MULTI_TASKS else "choice"
    return "text"


def answer_output_type(fmt: str, question: str, session_ids: list[str]) -> type[BaseModel]:
    """A pydantic model whose JSON schema only admits well-formed answers (enums for letters and ids)."""
    sid_type: Any = literal_of(session_ids) if session_ids else str
    letters = sorted(options_of(question))
    if fmt == "choice":
        ans: Any = (literal_of(letters), Field(description="The letter of the correct option."))
    elif fmt == "multi":
        ans = (
            list[literal_of(letters)],  # type: ignore[misc]
            Field(
                min_length=1,
                max_length=len(letters),
                description="Letters of all correct options.",
            ),
        )
    elif fmt == "order":
        n = len(facts_of(question))
        ans = (list[int], Field(min_length=n, max_length=n, description="Fact numbers, earliest first."))
    else:
        ans = (str, Field(max_length=80, description="A short answer: a time, a date or a duration."))
    return create_model(  # type: ignore[call-overload, no-any-return]
        "MemoryT1Output",
        selected_memory=(list[sid_type], Field(max_length=3, description="Ids of the evidence sessions.")),
        answer=ans,
    )


def build_prompt(ranked: Ranked) -> str:
    """The stage-2 prompt: evidence sessions (id, time, text) then the question."""
    parts = ["Answer the question using the dialogue sessions below. Give the evidence session ids."]
    for s in ranked.sessions:
        when = s.time.isoformat(sep=" ") if s.time else "unknown time"
        parts.append(f"<{s.session_id}> ({when})\n{s.text}")
    parts.append(f"Question: {ranked.question.text}")
    return "\n\n".join(parts)


def _repair_order(values: list[int], n: int) -> list[int]:
    seen: list[int] = []
    for v in values:
        if 1 <= v <= n and v not in seen:
            seen.append(v)
    return seen + [i for i in range(1, n + 1) if i not in seen]


def finalize_answer(raw: BaseModel | None, fmt: str, ranked: Ranked, evidence_pick: str | None) -> Answer:
    """Turn the typed model output into the benchmark's string format; evidence_pick overrides when given."""
    selected = (
        list(dict.fromkeys(str(x) for x in getattr(raw, "selected_memory", []))) if raw is not None else []
    )
    if not selected and ranked.sessions:
        selected = [ranked.sessions[0].session_id]  # the ranking's top session is the default evidence
    value: Any = getattr(raw, "answer", "") if raw is not None else ""
    if fmt == "order":
        n = len(facts_of(ranked.question.text))
        text = "".join(f"({i})" for i in _repair_order(list(value or []), n))
    elif fmt == "multi":
        text = " ".join(sorted(set(value or [])))
    else:
        text = str(value or "")
    if evidence_pick is not None:
        text = evidence_pick
    return Answer(selected_memory=selected, answer=text)
