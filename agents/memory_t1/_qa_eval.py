"""`memory-t1` evaluation on Time-Dialog qa.jsonl: the pipeline with and without the time filter, one run.

report = evaluate_qa(load_qa(Path("qa.jsonl")), model, QAEvalConfig(out=Path("memory_t1.json")))
report["summary"]["memory_t1"]["accuracy"], report["summary"]["no_time_filter"]["temporal_precision"]
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from goalgraph.evals import Aggregation, EvalConfig, EvalTask, run_eval, summarize, write_results

from ._graph import build_memory_t1, plan_steps, run_question
from ._jsonl import json_rows
from ._ranges import _bound
from ._rewards import accuracy_reward, benchmark_exact_match
from ._sessions import ingest_sessions, sessions_from_time_dialog, speakers_of
from ._types import MemoryT1Config, Question, Session

__all__ = ["METRICS", "SYSTEMS", "QAEvalConfig", "QAItem", "evaluate_qa", "load_qa", "stratified"]

SYSTEMS = {"memory_t1": True, "no_time_filter": False}
METRICS = (
    "accuracy",
    "temporal_precision",
    "exact_match",
    "llm_accuracy",
    "candidate_precision",
    "filtered_share",
    "seconds",
    "n",
    "n_precision",
)
# Counts add up; every other metric is a mean over the episodes that have it (temporal precision only
# over questions with an annotated window).
_AGGREGATIONS: dict[str, Aggregation] = {"n": "sum", "n_precision": "sum"}
# The benchmark's annotation moment: a window bound on that day means "now" (open), never a session time.
_NOW_PREFIX = "2025-07-17"


@dataclass(frozen=True)
class QAItem:
    """One validated qa.jsonl row: the raw row, its sessions, when it is asked, and the gold window."""

    row: dict[str, Any]
    sessions: tuple[Session, ...]
    asked_at: datetime | None
    window: tuple[datetime | None, datetime | None] | None
    key: str
    """Unique episode id: the question_id, with ``@LINE`` added when the file repeats that id."""


@dataclass(frozen=True)
class QAEvalConfig:
    """How the evaluation runs and where it writes."""

    out: Path
    """The results JSON (episode log ``<out>.episodes.jsonl`` and chart ``<out>.png`` beside it)."""
    memory: Literal["conversation", "question"] = "conversation"
    """Pool the sessions of all questions about one conversation, or give each question its own."""
    concurrency: int = 2
    """Episodes in flight (the embedded model decodes one at a time; retrieval overlaps it)."""
    resume: bool = False
    """Skip the episodes an interrupted run already finished."""
    quiet: bool = False
    """No progress bar or table."""
    chart: bool = True
    """Write the per-group PNG chart."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Top-level fields of the results file (the run's settings)."""


def _gold_window(tr: Any) -> tuple[datetime | None, datetime | None] | None:
    if not tr:
        return None
    start_raw = tr.get("start", "unknown")
    start_raw = start_raw[0] if isinstance(start_raw, list) else start_raw
    start = None if str(start_raw).startswith(_NOW_PREFIX) else _bound(start_raw, start=True)
    end = _bound(tr.get("end", "unknown"), start=False)
    # An impossible annotated date (e.g. "2022-09-31") bounds nothing.
    start, end = (None if t is not None and t.year == 1 else t for t in (start, end))
    return None if start is None and end is None else (start, end)


def load_qa(path: Path, limit: int | None = None) -> list[QAItem]:
    """Validated rows of qa.jsonl (all of them, or a stratified sample of ``limit``).

    Errors name the file, the line and the field, before any question runs.
    """
    items: list[QAItem] = []
    for n, where, row in json_rows(path, ("question_id", "question", "task", "gold_answer")):
        if not isinstance(row.get("sessions", []), list):
            raise ValueError(f"{where}: field 'sessions' must be a list")
        try:
            sessions = tuple(sessions_from_time_dialog(row))
            asked = datetime.fromisoformat(row["asked_at"]) if row.get("asked_at") else None
            window = _gold_window(row.get("time_range"))
        except (ValueError, TypeError, AttributeError) as exc:
            raise ValueError(f"{where}: {exc}") from exc
        items.append(QAItem(row, sessions, asked, window, key=f"{row['question_id']}@{n}"))
    if not items:
        raise ValueError(f"{path}: no questions in the file")
    # Ids stay plain where the file has them once (stable across files that differ elsewhere).
    counts = Counter(str(i.row["question_id"]) for i in items)
    items = [
        i if counts[str(i.row["question_id"])] > 1 else replace(i, key=str(i.row["question_id"]))
        for i in items
    ]
    return items if limit is None else stratified(items, limit)


def stratified(items: list[QAItem], limit: int) -> list[QAItem]:
    """A deterministic sample of ``limit`` items: round-robin over tasks (sorted), file order within a task."""
    by_task: dict[str, list[QAItem]] = defaultdict(list)
    for item in items:
        by_task[str(item.row["task"])].append(item)
    picked: list[QAItem] = []
    queues = [by_task[t] for t in sorted(by_task)]
    while len(picked) < min(limit, len(items)):
        for queue in queues:
            if queue and len(picked) < limit:
                picked.append(queue.pop(0))
    order = {id(item): i for i, item in enumerate(items)}
    return sorted(picked, key=lambda item: order[id(item)])


def _conversations(items: list[QAItem], memory: str) -> list[str]:
    """A memory namespace per item: its conversation (same two main speakers, no clashing session) or itself.

    Time-Dialog's qa.jsonl gives each question only the sessions its benchmark prompt held; pooling the
    sessions of all questions about one conversation rebuilds more of that conversation's history.
    """
    if memory == "question":
        return [str(item.row["question_id"]) for item in items]
    keys: list[str] = []
    seen: dict[str, dict[str, datetime]] = defaultdict(dict)
    for item in items:
        names = sorted({name for s in item.sessions for name in speakers_of(s)[:2]})
        key = "+".join(names[:4]) or f"q-{item.row['question_id']}"
        clash = any(seen[key].get(s.session_id, s.time) != s.time for s in item.sessions)
        if clash:
            key = f"q-{item.row['question_id']}"
        for s in item.sessions:
            seen[key][s.session_id] = s.time
        keys.append(key)
    return keys


def _share_inside(ids: list[str], times: dict[str, datetime], window: tuple[Any, Any] | None) -> float | None:
    if window is None or not ids:
        return None
    start, end = window
    inside = [
        sid
        for sid in ids
        if sid in times and (start is None or times[sid] >= start) and (end is None or times[sid] <= end)
    ]
    return len(inside) / len(ids)


class _Runner:
    """Built once per worker: one store holding every conversation, and the two pipelines over it."""

    def __init__(self, items: list[QAItem], model: Any, memory: str) -> None:
        from goalgraph.memory import MemoryStore

        if isinstance(model, str):
            from goalgraph.llm import model as make_model

            model = None if model == "none" else make_model(model)
        store = MemoryStore(embedder="hash")
        conversations = _conversations(items, memory)
        pooled: dict[str, dict[str, Session]] = defaultdict(dict)
        for item, conv in zip(items, conversations, strict=True):
            for s in item.sessions:
                pooled[conv].setdefault(s.session_id, s)
        for conv, sessions in pooled.items():
            ingest_sessions(store, ("time-dialog", conv), sessions.values())
        self.items = {item.key: (item, conv) for item, conv in zip(items, conversations, strict=True)}
        self.times = {conv: {sid: s.time for sid, s in sessions.items()} for conv, sessions in pooled.items()}
        memo: dict[str, Any] = {}  # greedy decoding: both systems reuse a reply to an identical prompt
        self.graphs = {
            name: build_memory_t1(
                model=model, store=store, config=MemoryT1Config(use_time_filter=flag), memo=memo
            )
            for name, flag in SYSTEMS.items()
        }

    async def __call__(self, task: EvalTask) -> dict[str, Any]:
        item, conv = self.items[task.id]
        row = item.row
        q = Question(
            text=row["question"], namespace=("time-dialog", conv), asked_at=item.asked_at, task=row["task"]
        )
        try:
            state = await run_question(self.graphs[task.system], q, thread_id=f"{task.system}:{task.id}")
        except Exception as error:
            # A question the pipeline cannot answer counts as wrong (the harness would leave it out).
            metrics = {"accuracy": 0.0, "exact_match": 0.0, "llm_accuracy": 0.0, "n": 1.0, "n_precision": 0.0}
            return {
                "question_id": row["question_id"],
                "error": f"{type(error).__name__}: {error}",
                "metrics": metrics,
            }
        return _episode(item, state, self.times.get(conv, {}))


def evaluate_qa(items: list[QAItem], model: Any, config: QAEvalConfig) -> dict[str, Any]:
    """Run both systems on every item through the evaluation harness; returns the results document.

    ``model``: a pydantic-ai model, a `goalgraph.llm.model` spec, or None / ``"none"`` (evidence only).
    Groups: ``task:NAME`` and ``level:NAME`` for each system.
    """
    # One system after the other: the filtered pipeline's replies are in the memo when the other asks.
    tasks = [
        EvalTask(id=item.key, system=name, group=f"task:{item.row['task']}")
        for name in SYSTEMS
        for item in items
    ]
    levels = {item.key: str(item.row.get("level", "unknown")) for item in items}
    document = run_eval(
        tasks,
        lambda: _Runner(items, model, config.memory),
        EvalConfig(
            out=config.out,
            metrics=METRICS,
            aggregations=_AGGREGATIONS,
            concurrency=config.concurrency,
            resume=config.resume,
            quiet=config.quiet,
            chart=False,
            extra=dict(config.extra),
            title="memory-t1",
        ),
    )
    by_level = [{**e, "group": f"level:{levels.get(str(e['id']), 'unknown')}"} for e in document["episodes"]]
    _, level_groups = summarize(by_level, METRICS, _AGGREGATIONS)
    for system, groups in level_groups.items():
        document["by_group"].setdefault(system, {}).update(groups)
    write_results(config.out, document)
    if config.chart:
        _chart(document, config.out.with_suffix(".png"))
    return document


def _chart(document: Mapping[str, Any], path: Path) -> None:
    from ._report import write_chart

    series = {
        f"{system} {metric}": {g: m.get(metric, 0.0) or 0.0 for g, m in groups.items()}
        for metric in ("accuracy", "temporal_precision")
        for system, groups in document["by_group"].items()
    }
    write_chart(path, series, "share", "Memory-T1 with and without the time filter")


def _episode(item: QAItem, state: Any, times: dict[str, datetime]) -> dict[str, Any]:
    row, ans = item.row, state["answer"]
    gold, task = str(row["gold_answer"]), str(row["task"])
    score = accuracy_reward(ans.answer, gold, task)
    llm_score = accuracy_reward(ans.llm_answer, gold, task) if ans.llm_answer is not None else 0.0
    candidates = list(state["candidates"].session_ids)
    window = state.get("time_window")
    precision = _share_inside(ans.selected_memory, times, item.window)
    metrics = {
        "accuracy": 1.0 if score >= 1.0 else 0.0,
        "exact_match": float(benchmark_exact_match(ans.answer, gold, task)),
        "llm_accuracy": 1.0 if llm_score >= 1.0 else 0.0,
        "answer_score": score,
        "filtered_share": float(state["candidates"].filtered),
        "n": 1.0,
        "n_precision": 0.0 if precision is None else 1.0,
    }
    if precision is not None:
        metrics["temporal_precision"] = precision
    candidate_precision = _share_inside(candidates, times, item.window)
    if candidate_precision is not None:
        metrics["candidate_precision"] = candidate_precision
    return {
        "question_id": row["question_id"],
        "task": task,
        "level": row.get("level", "unknown"),
        "answer": ans.answer,
        "llm_answer": ans.llm_answer,
        "method": ans.method,
        "gold": row["gold_answer"],
        "selected_memory": ans.selected_memory,
        "window": None if window is None else window.model_dump(mode="json"),
        "gold_window": None
        if item.window is None
        else [None if t is None else t.isoformat() for t in item.window],
        "candidates": candidates,
        "filtered": state["candidates"].filtered,
        "n_sessions": len(times),
        "steps": plan_steps(state),
        "metrics": metrics,
    }
