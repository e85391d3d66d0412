"""The pipeline's typed tools, bound to a store, a model and a config: one factory builds all four."""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import BaseModel

from goalgraph.tools import Tool, tool
from goalgraph.tools.temporal import TimeWindow

from ._answer import answer_format, answer_output_type, build_prompt, finalize_answer, options_of
from ._events import UtteranceIndex, bm25_scores, utterances_of
from ._reason import answer_choices, reason
from ._types import Answer, Candidates, MemoryT1Config, Question, Ranked, RankedSession
from ._window import estimate_window_text

__all__ = ["MemoryT1Tools", "make_tools"]


@dataclass(frozen=True)
class MemoryT1Tools:
    """The four pipeline tools (Question -> TimeWindow -> Candidates -> Ranked -> Answer)."""

    estimate_window: Tool[Any, Any]
    find_candidates: Tool[Any, Any]
    rank_candidates: Tool[Any, Any]
    answer_question: Tool[Any, Any]


def _tokens(text: str) -> int:
    return int(len(text.split()) * 1.3) + 1  # rough BPE-per-word ratio; only budgets need it


def _naive(t: datetime) -> datetime:
    return t.replace(tzinfo=None) if t.tzinfo else t


def _session_records(store: BaseStore, namespace: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for it in store.search((*namespace, "sessions"), limit=1_000_000):
        v = it.value
        out.append(
            {
                "session_id": str(v.get("session_id", it.key)),
                "time": _naive(datetime.fromisoformat(v["time"])),
                "text": str(v.get("text", "")),
            }
        )
    return sorted(out, key=lambda r: r["time"])


def _excerpt(text: str, query: str, budget: int) -> str:
    """The session's lines most relevant to ``query`` that fit ``budget`` tokens, in their original order."""
    lines = [line for line in text.splitlines() if line.strip()]
    if _tokens(text) <= budget:
        return "\n".join(lines)
    scores = bm25_scores(lines, query)
    keep: set[int] = set()
    used = 0
    for i in sorted(range(len(lines)), key=lambda i: (-scores[i], i)):
        cost = _tokens(lines[i])
        if used + cost > budget:
            continue
        keep.add(i)
        used += cost
    return "\n".join(lines[i] for i in sorted(keep))


def make_tools(
    store: BaseStore, model: Any, config: MemoryT1Config, memo: MutableMapping[str, Any] | None = None
) -> MemoryT1Tools:
    """Build the pipeline tools over ``store`` with ``model`` (a pydantic-ai model or None for no LLM).

    ``memo``, when given, remembers model replies by prompt: pipelines that share it (e.g. with and without
    the time filter) reuse a reply when they send the same prompt. Only sound for deterministic decoding.
    """
    from pydantic_ai import Agent
    from pydantic_ai.exceptions import AgentRunError

    async def _run(prompt: str, output_type: type[BaseModel]) -> BaseModel:
        key = json.dumps([prompt, output_type.model_json_schema()], sort_keys=True)
        if memo is not None and key in memo:
            return memo[key]  # type: ignore[no-any-return]
        result = (await Agent(model, output_type=output_type).run(prompt)).output
        if memo is not None:
            memo[key] = result
        return result  # type: ignore[no-any-return]

    @tool(name="estimate_window")
    async def estimate_window(question: Question) -> TimeWindow:
        """Estimate the time window a question asks about (parser first, LLM for unresolved time cues)."""
        fallback = model if config.llm_window_fallback else None
        key = json.dumps(["window", question.text, str(question.asked_at)])
        if memo is not None and key in memo:
            return memo[key]  # type: ignore[no-any-return]
        window = await estimate_window_text(question.text, question.asked_at, fallback)
        if memo is not None:
            memo[key] = window
        return window

    @tool(name="find_candidates")
    def find_candidates(question: Question, window: TimeWindow) -> Candidates:
        """Sessions inside the estimated window widened by the recall margin; all sessions when none survive.

        Args:
            question: The question being answered.
            window: The window estimated for it.
        """
        records = _session_records(store, question.namespace)
        ids = tuple(r["session_id"] for r in records)
        if not config.use_time_filter or window.is_open:
            return Candidates(question=question, window=window, session_ids=ids, filtered=False)
        margin = timedelta(days=config.margin_days)
        start = None if window.start is None else window.start - margin
        end = None if window.end is None else window.end + margin
        if hasattr(store, "query"):  # the MemoryStore's event-time index does the filtering
            hits = store.query(
                namespace=(*question.namespace, "sessions"), time_range=(start, end), k=len(ids)
            )
            inside = {str(h.value.get("session_id", h.key)) for h in hits}
        else:
            inside = {r["session_id"] for r in records if window.contains(r["time"], margin.total_seconds())}
        kept = tuple(sid for sid in ids if sid in inside)
        if not kept:
            return Candidates(question=question, window=window, session_ids=ids, filtered=False)
        return Candidates(question=question, window=window, session_ids=kept, filtered=len(kept) < len(ids))

    @tool(name="rank_candidates")
    def rank_candidates(candidates: Candidates) -> Ranked:
        """BM25 over the candidate sessions; the top-k, each cut to its most relevant lines within the budget."""
        question = candidates.question
        wanted = set(candidates.session_ids)
        records = [r for r in _session_records(store, question.namespace) if r["session_id"] in wanted]
        query = question.text.split("\nA.")[0]
        scores = bm25_scores([r["text"] for r in records], query)
        order = sorted(range(len(records)), key=lambda i: (-scores[i], records[i]["time"]))[: config.top_k]
        share = max(1, config.token_budget // max(1, len(order)))
        picked = [
            RankedSession(
                session_id=records[i]["session_id"],
                time=records[i]["time"],
                score=scores[i],
                text=_excerpt(records[i]["text"], query, share),
            )
            for i in order
        ]
        return Ranked(question=question, window=candidates.window, sessions=tuple(picked))

    @tool(name="answer_question")
    async def answer_question(ranked: Ranked) -> Answer:
        """Typed answer: evidence session ids + answer in the benchmark's format."""
        question = ranked.question
        fmt = answer_format(question.task, question.text)
        ids = [s.session_id for s in ranked.sessions]
        index = UtteranceIndex(utterances_of(store, question.namespace, tuple(ids)))
        found = reason(question.text, fmt, index) if config.evidence_scoring else None
        choices = answer_choices(question.text, fmt, index)
        raw = None
        if model is not None:
            out_type = answer_output_type(fmt, question.text, ids, choices)
            try:
                raw = await _run(build_prompt(ranked, choices), out_type)
            except AgentRunError:
                raw = None  # the model gave no valid typed answer: the evidence (or nothing) answers
        if found is None and config.evidence_scoring:
            pick = _option_pick(ranked, fmt, index)
            found_answer, method = pick, "option_match"
        else:
            found_answer, method = (found.answer, found.tool) if found else (None, "llm")
        evidence = list(found.sessions) if found else []
        return finalize_answer(raw, fmt, ranked, found_answer, method if found_answer else "llm", evidence)

    return MemoryT1Tools(estimate_window, find_candidates, rank_candidates, answer_question)


def _option_pick(ranked: Ranked, fmt: str, index: UtteranceIndex) -> str | None:
    """For single-choice questions: the option whose text best matches an evidence utterance (BM25)."""
    if fmt != "choice" or not index.utterances:
        return None
    best, best_score = None, 0.0
    for letter, text in sorted(options_of(ranked.question.text).items()):
        scores = index.scores(text)
        score = max(scores) if scores else 0.0
        if score > best_score:
            best, best_score = letter, score
    return best
