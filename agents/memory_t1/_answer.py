"""Stage 2: typed answer from the LLM (format always valid) plus principled deterministic evidence help."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, Field, create_model

from goalgraph.llm import literal_of

from ._types import Answer, Evidence, ModelAnswer, Ranked

__all__ = [
    "answer_format",
    "answer_output_type",
    "build_prompt",
    "finalize_answer",
    "model_answer",
    "options_of",
]

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
        multi = task.lower() in _MULTI_TASKS or "one or more" in question.lower()
        return "multi" if multi else "choice"
    return "text"


def answer_output_type(
    fmt: str, question: str, session_ids: list[str], choices: list[str] | None = None
) -> type[BaseModel]:
    """A pydantic model whose JSON schema only admits well-formed answers (enums for letters and ids).

    ``choices``: for free-text answers, the candidate answers (e.g. times of matching utterances) the
    model must pick from; without them the answer is a short free string.
    """
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
    elif choices:
        ans = (literal_of(choices), Field(description="The time the question asks for."))
    else:
        ans = (str, Field(max_length=60, description="A short answer: a time, a date or a duration."))
    return create_model(  # type: ignore[call-overload, no-any-return]
        "MemoryT1Output",
        selected_memory=(list[sid_type], Field(max_length=3, description="Ids of the evidence sessions.")),
        answer=ans,
    )


def build_prompt(ranked: Ranked, choices: list[str] | None = None) -> str:
    """The stage-2 prompt: evidence sessions (id, time, text), the question, and candidate answers if any."""
    parts = ["Answer the question using the dialogue sessions below. Give the evidence session ids."]
    for s in ranked.sessions:
        when = s.time.isoformat(sep=" ") if s.time else "unknown time"
        parts.append(f"<{s.session_id}> ({when})\n{s.text}")
    asked = ranked.question.asked_at
    parts.append(
        f"Time: {asked.isoformat(sep=' ') if asked else 'unknown'}\nQuestion: {ranked.question.text}"
    )
    if choices:
        parts.append("Candidate answers:\n" + "\n".join(f"- {c}" for c in choices))
    return "\n\n".join(parts)


def _repair_order(values: list[int], n: int) -> list[int]:
    seen: list[int] = []
    for v in values:
        if 1 <= v <= n and v not in seen:
            seen.append(v)
    return seen + [i for i in range(1, n + 1) if i not in seen]


def _as_text(value: Any, fmt: str, n_facts: int) -> str:
    if fmt == "order":
        return "".join(f"({i})" for i in _repair_order(list(value or []), n_facts))
    if fmt == "multi":
        return " ".join(sorted(set(value or [])))
    return str(value or "")


def model_answer(raw: BaseModel, fmt: str, question: str) -> ModelAnswer:
    """The model's typed output (see `answer_output_type`) in the benchmark's string format."""
    selected = list(dict.fromkeys(str(x) for x in getattr(raw, "selected_memory", [])))
    return ModelAnswer(
        selected_memory=selected, answer=_as_text(getattr(raw, "answer", None), fmt, len(facts_of(question)))
    )


def finalize_answer(model: ModelAnswer | None, evidence: Evidence) -> Answer:
    """The final answer: the evidence tools' answer when one applied, else the model's (if any).

    The selected memory is the model's; without it, the sessions the evidence rests on, else the top-ranked.
    """
    ranked = evidence.ranked
    selected = list(model.selected_memory) if model is not None else []
    if not selected:
        selected = list(evidence.sessions) or [s.session_id for s in ranked.sessions[:1]]
    llm_answer = model.answer if model is not None else None
    if evidence.answer is not None:
        return Answer(
            selected_memory=selected, answer=evidence.answer, llm_answer=llm_answer, method=evidence.method
        )
    return Answer(
        selected_memory=selected,
        answer=llm_answer
        if llm_answer is not None
        else _as_text(None, evidence.format, len(facts_of(ranked.question.text))),
        llm_answer=llm_answer,
        method="llm" if model is not None else "none",
    )
