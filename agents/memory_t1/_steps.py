"""The pipeline's typed tools with their GOAP metadata; the planner orders them from types and conditions.

steps = make_steps(store, model, MemoryT1Config(), memo)
graph = build_executor(steps.actions, Answer, predicates=steps.predicates)   # see _graph.build_memory_t1
"""

from __future__ import annotations

import json
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from langgraph.store.base import BaseStore
from pydantic import BaseModel

from goalgraph.planners import Action, Blackboard, Condition, Predicate
from goalgraph.tools import tool
from goalgraph.tools.temporal import TimeWindow

from ._answer import answer_format, answer_output_type, build_prompt, finalize_answer, options_of
from ._answer import model_answer as typed_model_answer
from ._events import UtteranceIndex, bm25_scores, utterances_of
from ._reason import answer_choices, reason
from ._types import (
    Answer,
    Candidates,
    Evidence,
    MemoryT1Config,
    ModelAnswer,
    ParsedWindow,
    Question,
    Ranked,
    RankedSession,
)
from ._window import llm_window, parse_question_window

__all__ = ["NEEDS_LLM", "MemoryT1Steps", "make_steps"]

NEEDS_LLM = "window:needs_llm"
"""Condition: the parser resolved no window although the question has a time cue the model could ground."""

# Plan costs. Rule steps are cheap; a model call costs more; and settling for less than the pipeline can do
# (the parser's open window despite a time cue, an answer without the model's reading) costs most, so
# the planner takes those routes only when the better one is missing or has failed.
_RULE, _MODEL, _FALLBACK = 0.1, 1.0, 3.0


@dataclass(frozen=True)
class MemoryT1Steps:
    """The actions the planner chooses from, and the predicates that decide their explicit conditions."""

    actions: tuple[Action, ...]
    predicates: Mapping[str, Predicate]


def _needs_llm(board: Blackboard) -> bool | None:
    parsed = board.get(ParsedWindow)
    return None if parsed is None else parsed.needs_llm  # unknown until the parser has run


def _accept_cost(state: Mapping[str, Any]) -> float:
    return _FALLBACK if state.get(NEEDS_LLM) is Condition.TRUE else _RULE


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


def make_steps(
    store: BaseStore, model: Any, config: MemoryT1Config, memo: MutableMapping[str, Any] | None = None
) -> MemoryT1Steps:
    """The pipeline's actions over ``store`` with ``model`` (a pydantic-ai model, or None for no LLM).

    Which actions exist follows the config (time filter or not, model or not, LLM window fallback or not);
    their order is the planner's. ``memo``, when given, remembers model replies by prompt: pipelines that
    share it (e.g. with and without the time filter) reuse a reply to the same prompt. Only sound for
    deterministic decoding.
    """
    from pydantic_ai import Agent

    async def _run(prompt: str, output_type: type[BaseModel]) -> BaseModel:
        key = json.dumps([prompt, output_type.model_json_schema()], sort_keys=True)
        if memo is not None and key in memo:
            return memo[key]  # type: ignore[no-any-return]
        result = (await Agent(model, output_type=output_type).run(prompt)).output
        if memo is not None:
            memo[key] = result
        return result  # type: ignore[no-any-return]

    @tool(name="parse_time_window", cost=_RULE)
    def parse_time_window(question: Question) -> ParsedWindow:
        """The rule parser's window for the question, and whether the LLM fallback should try."""
        return parse_question_window(question.text, question.asked_at)

    @tool(name="llm_time_window", cost=_MODEL, requires=(NEEDS_LLM,))
    async def llm_time_window(question: Question, parsed: ParsedWindow) -> TimeWindow:
        """The model's typed window slots, grounded in the question's text (fails when they resolve to none).

        Args:
            question: The question being answered.
            parsed: The parser's reading, which found no window.
        """
        key = json.dumps(["window", question.text, str(question.asked_at)])
        if memo is not None and key in memo:
            window = memo[key]
        else:
            window = await llm_window(model, question.text, question.asked_at)
            if memo is not None:
                memo[key] = window
        if window is None:
            raise ValueError("the model's window slots resolve to no window")
        return window  # type: ignore[no-any-return]

    @tool(name="accept_parsed_window", cost=_accept_cost)
    def accept_parsed_window(parsed: ParsedWindow) -> TimeWindow:
        """Take the parser's window as the question's window (open when it resolved nothing)."""
        return parsed.window

    @tool(name="find_candidates", cost=_RULE)
    def find_candidates(question: Question, window: TimeWindow) -> Candidates:
        """Sessions inside the estimated window widened by the recall margin; all sessions when none survive.

        Args:
            question: The question being answered.
            window: The window estimated for it.
        """
        records = _session_records(store, question.namespace)
        ids = tuple(r["session_id"] for r in records)
        if window.is_open:
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

    @tool(name="all_sessions", cost=_RULE)
    def all_sessions(question: Question) -> Candidates:
        """Every session of the conversation (the pipeline without the time filter needs no window)."""
        ids = tuple(r["session_id"] for r in _session_records(store, question.namespace))
        return Candidates(question=question, window=TimeWindow(), session_ids=ids, filtered=False)

    @tool(name="rank_candidates", cost=_RULE)
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

    @tool(name="locate_evidence", cost=_RULE)
    def locate_evidence(ranked: Ranked) -> Evidence:
        """Locate the question's events in the ranked sessions' utterances; answer from them when a
        deterministic tool applies (order, durations, times, option match), and list candidate answers."""
        question = ranked.question
        fmt = answer_format(question.task, question.text)
        ids = tuple(s.session_id for s in ranked.sessions)
        index = UtteranceIndex(utterances_of(store, question.namespace, ids))
        choices = answer_choices(question.text, fmt, index)
        evidence = Evidence(ranked=ranked, format=fmt, choices=choices)
        if not config.evidence_scoring:
            return evidence
        found = reason(question.text, fmt, index)
        if found is not None:
            return evidence.model_copy(
                update={"answer": found.answer, "method": found.tool, "sessions": list(found.sessions)}
            )
        pick = _option_pick(ranked, fmt, index)
        return evidence.model_copy(update={"answer": pick, "method": "option_match" if pick else "llm"})

    @tool(name="select_and_answer", cost=_MODEL)
    async def select_and_answer(evidence: Evidence) -> ModelAnswer:
        """Stage 2: the model selects the evidence sessions and answers, as JSON only valid answers fit."""
        ranked = evidence.ranked
        ids = [s.session_id for s in ranked.sessions]
        out_type = answer_output_type(evidence.format, ranked.question.text, ids, evidence.choices)
        raw = await _run(build_prompt(ranked, evidence.choices), out_type)
        return typed_model_answer(raw, evidence.format, ranked.question.text)

    @tool(name="compose_answer", cost=_RULE)
    def compose_answer(evidence: Evidence, model_answer: ModelAnswer) -> Answer:
        """The final answer: the evidence tools' answer when one applied (the model's kept beside it).

        Args:
            evidence: What the evidence tools found.
            model_answer: The model's selection and answer.
        """
        return finalize_answer(model_answer, evidence)

    @tool(name="answer_from_evidence", cost=_FALLBACK)
    def answer_from_evidence(evidence: Evidence) -> Answer:
        """The answer without the model: the evidence tools' answer, or an empty one."""
        return finalize_answer(None, evidence)

    tools: list[Any] = [parse_time_window, accept_parsed_window] if config.use_time_filter else []
    if config.use_time_filter and model is not None and config.llm_window_fallback:
        tools.append(llm_time_window)
    tools += [find_candidates if config.use_time_filter else all_sessions, rank_candidates, locate_evidence]
    if model is not None:
        tools += [select_and_answer, compose_answer]
    tools.append(answer_from_evidence)
    return MemoryT1Steps(tuple(Action.from_tool(t) for t in tools), {NEEDS_LLM: _needs_llm})


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
