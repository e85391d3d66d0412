"""The pipeline's typed tools, bound to a store, a model and a config: one factory builds all four."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import BaseModel

from goalgraph.tools import Tool, tool
from goalgraph.tools.temporal import TimeWindow, parse_window

from ._answer import answer_format, answer_output_type, build_prompt, finalize_answer, options_of
from ._types import Answer, Candidates, MemoryT1Config, Question, Ranked, RankedSession

__all__ = ["MemoryT1Tools", "make_tools"]

_TIME_CUE = re.compile(
    r"\b(?:yesterday|today|tonight|ago|last|next|this|week|month|year|weekend|\d{4}|january|february|march|"
    r"april|may|june|july|august|september|october|november|december|monday|tuesday|wednesday|thursday|"
    r"friday|saturday|sunday)\b",
    re.I,
)


@dataclass(frozen=True)
class MemoryT1Tools:
    """The four pipeline tools (Question -> TimeWindow -> Candidates -> Ranked -> Answer)."""

    estimate_window: Tool[Any, Any]
    find_candidates: Tool[Any, Any]
    rank_candidates: Tool[Any, Any]
    answer_question: Tool[Any, Any]


class _WindowGuess(BaseModel):
    """LLM fallback output: ISO dates or null for open bounds."""

    start: str | None = None
    end: str | None = None


def _tokens(text: str) -> int:
    return int(len(text.split()) * 1.3) + 1  # rough BPE-per-word ratio; only budgets need it


def _bm25_scores(corpus: list[str], query: str) -> list[float]:
    import bm25s

    if not corpus:
        return []
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
    q = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)[0]
    if not q:
        return [0.0] * len(corpus)
    return [float(x) for x in retriever.get_scores(q)]


def _session_records(store: BaseStore, namespace: tuple[str, ...]) -> list[dict[str, Any]]:
    items = store.search((*namespace, "sessions"), limit=100_000)
    out = []
    for it in items:
        v = it.value
        out.append(
            {
                "session_id": str(v.get("session_id", it.key)),
                "time": datetime.fromisoformat(v["time"]),
                "text": str(v.get("text", "")),
            }
        )
    return sorted(out, key=lambda r: r["time"])


def _naive(t: datetime) -> datetime:
    return t.replace(tzinfo=None) if t.tzinfo else t


def make_tools(store: BaseStore, model: Any, config: MemoryT1Config) -> MemoryT1Tools:
    """Build the pipeline tools over ``store`` with ``model`` (a pydantic-ai model or None for no LLM)."""
    from pydantic_ai import Agent

    @tool(name="estimate_window")
    async def estimate_window(question: Question) -> TimeWindow:
        """Estimate the time window a question asks about (parser first, LLM for unresolved time cues)."""
        window = parse_window(question.text, question.asked_at)
        if (
            window.source == "none"
            and model is not None
            and config.llm_window_fallback
            and _TIME_CUE.search(question.text.split("\n")[0])
        ):
            asked = question.asked_at.isoformat(sep=" ") if question.asked_at else "unknown"
            agent = Agent(
                model,
                output_type=_WindowGuess,
                instructions="Give the ISO start and end dates the question refers to, or null.",
            )
            try:
                guess = (
                    await agent.run(f"Asked at: {asked}\nQuestion: {question.text.splitlines()[0]}")
                ).output
                start = datetime.fromisoformat(guess.start) if guess.start else None
                end = datetime.fromisoformat(guess.end) if guess.end else None
            except (ValueError, TypeError):
                return window
            if start and end and start > end:
                return window
            if question.asked_at and end and end >= question.asked_at:
                end = None
            return TimeWindow(start=start, end=end, source="llm")
        return window

    @tool(name="find_candidates")
    def find_candidates(question: Question, window: TimeWindow) -> Candidates:
        """Sessions inside the estimated window widened by the recall margin; all sessions when none survive.

        Args:
            question: The question being answered.
            window: The window estimated for it.
        """
        return _candidates(question, window)

    def _candidates(question: Question, window: TimeWindow) -> Candidates:
        records = _session_records(store, question.namespace)
        ids = tuple(r["session_id"] for r in records)
        if not config.use_time_filter or window.is_open:
            return Candidates(question=question, window=window, session_ids=ids, filtered=False)
        margin = timedelta(days=config.margin_days).total_seconds()
        kept = tuple(r["session_id"] for r in records if window.contains(_naive(r["time"]), margin))
        if not kept:
            return Candidates(question=question, window=window, session_ids=ids, filtered=False)
        return Candidates(question=question, window=window, session_ids=kept, filtered=len(kept) < len(ids))

    @tool(name="rank_candidates")
    def rank_candidates(candidates: Candidates) -> Ranked:
        """BM25 over the candidates; the top-k that fit the token budget, best first."""
        question = candidates.question
        records = [
            r
            for r in _session_records(store, question.namespace)
            if r["session_id"] in candidates.session_ids
        ]
        query = question.text.split("\nA.")[0]
        scores = _bm25_scores([r["text"] for r in records], query)
        order = sorted(range(len(records)), key=lambda i: (-scores[i], records[i]["time"]))
        picked: list[RankedSession] = []
        budget = config.token_budget
        for i in order[: config.top_k]:
            text = records[i]["text"]
            if budget <= 0:
                break
            words = text.split()
            keep = max(1, int(budget / 1.3))
            text = " ".join(words[:keep])
            budget -= _tokens(text)
            picked.append(
                RankedSession(
                    session_id=records[i]["session_id"], time=records[i]["time"], score=scores[i], text=text
                )
            )
        return Ranked(question=question, window=candidates.window, sessions=tuple(picked))

    @tool(name="answer_question")
    async def answer_question(ranked: Ranked) -> Answer:
        """Typed answer: evidence session ids + answer in the benchmark's format."""
        question = ranked.question
        fmt = answer_format(question.task, question.text)
        ids = [s.session_id for s in ranked.sessions]
        raw = None
        if model is not None:
            out_type = answer_output_type(fmt, question.text, ids)
            agent = Agent(model, output_type=out_type)
            raw = (await agent.run(build_prompt(ranked))).output
        pick = _evidence_pick(ranked, fmt) if config.evidence_scoring else None
        return finalize_answer(raw, fmt, ranked, pick)

    return MemoryT1Tools(estimate_window, find_candidates, rank_candidates, answer_question)


def _evidence_pick(ranked: Ranked, fmt: str) -> str | None:
    """For single-choice questions: the option whose text best matches an evidence utterance (BM25)."""
    if fmt != "choice" or not ranked.sessions:
        return None
    utterances = [line for s in ranked.sessions for line in s.text.splitlines() if line.strip()]
    options = options_of(ranked.question.text)
    best, best_score = None, 0.0
    for letter, text in sorted(options.items()):
        scores = _bm25_scores(utterances, text)
        score = max(scores) if scores else 0.0
        if score > best_score:
            best, best_score = letter, score
    return best
