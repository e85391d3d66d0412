"""`memory-t1` evaluation on Time-Dialog qa.jsonl: the pipeline with and without the time filter, one run.

report = evaluate_qa(load_qa(Path("qa.jsonl")), model, MemoryStore(embedder="hash"))
report["summary"]["memory_t1"]["accuracy"], report["summary"]["no_time_filter"]["temporal_precision"]
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from ._graph import build_memory_t1, run_question
from ._ranges import _bound
from ._rewards import accuracy_reward, benchmark_exact_match
from ._sessions import ingest_sessions, sessions_from_time_dialog, speakers_of
from ._types import MemoryT1Config, Question, Session

__all__ = ["QAItem", "evaluate_qa", "load_qa", "stratified"]

SYSTEMS = {"memory_t1": True, "no_time_filter": False}
# The benchmark's annotation moment: a window bound on that day means "now" (open), never a session time.
_NOW_PREFIX = "2025-07-17"


@dataclass(frozen=True)
class QAItem:
    """One validated qa.jsonl row: the raw row, its sessions, when it is asked, and the gold window."""

    row: dict[str, Any]
    sessions: tuple[Session, ...]
    asked_at: datetime | None
    window: tuple[datetime | None, datetime | None] | None


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
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{n}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise ValueError(f"{where}: expected a JSON object")
            for key in ("question_id", "question", "task", "gold_answer"):
                if key not in row:
                    raise ValueError(f"{where}: missing field {key!r}")
            if not isinstance(row.get("sessions", []), list):
                raise ValueError(f"{where}: field 'sessions' must be a list")
            try:
                sessions = tuple(sessions_from_time_dialog(row))
                asked = datetime.fromisoformat(row["asked_at"]) if row.get("asked_at") else None
                window = _gold_window(row.get("time_range"))
            except (ValueError, TypeError, AttributeError) as exc:
                raise ValueError(f"{where}: {exc}") from exc
            items.append(QAItem(row, sessions, asked, window))
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


def evaluate_qa(
    items: list[QAItem],
    model: Any,
    store: Any,
    progress: Callable[[], None] | None = None,
    memory: Literal["conversation", "question"] = "conversation",
) -> dict[str, Any]:
    """Run both systems on every item; returns the eval-contract dict (summary, by_group, episodes)."""
    memo: dict[str, Any] = {}  # greedy decoding: both systems reuse a reply to an identical prompt
    graphs = {
        name: build_memory_t1(
            model=model, store=store, config=MemoryT1Config(use_time_filter=flag), memo=memo
        )
        for name, flag in SYSTEMS.items()
    }
    conversations = _conversations(items, memory)
    pooled: dict[str, dict[str, Session]] = defaultdict(dict)
    for item, conv in zip(items, conversations, strict=True):
        for s in item.sessions:
            pooled[conv].setdefault(s.session_id, s)
    for conv, sessions in pooled.items():
        ingest_sessions(store, ("time-dialog", conv), sessions.values())
    episodes: list[dict[str, Any]] = []
    for item, conv in zip(items, conversations, strict=True):
        row = item.row
        times = {sid: s.time for sid, s in pooled[conv].items()}
        q = Question(
            text=row["question"], namespace=("time-dialog", conv), asked_at=item.asked_at, task=row["task"]
        )
        for name, graph in graphs.items():
            started = time.perf_counter()
            state = asyncio.run(run_question(graph, q, thread_id=f"{name}:{row['question_id']}"))
            episodes.append(_episode(name, item, state, times, time.perf_counter() - started))
        if progress is not None:
            progress()
    return _summarize(episodes)


def _episode(
    name: str, item: QAItem, state: Any, times: dict[str, datetime], seconds: float
) -> dict[str, Any]:
    row, ans = item.row, state["answer"]
    gold, task = str(row["gold_answer"]), str(row["task"])
    score = accuracy_reward(ans.answer, gold, task)
    llm_score = accuracy_reward(ans.llm_answer, gold, task) if ans.llm_answer is not None else 0.0
    candidates = list(state["candidates"].session_ids)
    return {
        "system": name,
        "question_id": row["question_id"],
        "task": task,
        "level": row.get("level", "unknown"),
        "answer": ans.answer,
        "llm_answer": ans.llm_answer,
        "method": ans.method,
        "gold": row["gold_answer"],
        "selected_memory": ans.selected_memory,
        "window": state["time_window"].model_dump(mode="json"),
        "gold_window": None
        if item.window is None
        else [None if t is None else t.isoformat() for t in item.window],
        "candidates": candidates,
        "filtered": state["candidates"].filtered,
        "n_sessions": len(times),
        "accuracy": 1.0 if score >= 1.0 else 0.0,
        "exact_match": benchmark_exact_match(ans.answer, gold, task),
        "llm_accuracy": 1.0 if llm_score >= 1.0 else 0.0,
        "answer_score": score,
        "temporal_precision": _share_inside(ans.selected_memory, times, item.window),
        "candidate_precision": _share_inside(candidates, times, item.window),
        "seconds": seconds,
    }


def _summarize(episodes: list[dict[str, Any]]) -> dict[str, Any]:
    summary: dict[str, dict[str, float]] = {}
    by_group: dict[str, dict[str, dict[str, float]]] = {}
    for name in SYSTEMS:
        eps = [e for e in episodes if e["system"] == name]
        summary[name] = _metrics(eps)
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for e in eps:
            groups[f"task:{e['task']}"].append(e)
            groups[f"level:{e['level']}"].append(e)
        by_group[name] = {g: _metrics(v) for g, v in sorted(groups.items())}
    return {"summary": summary, "by_group": by_group, "episodes": episodes}


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def _metrics(eps: list[dict[str, Any]]) -> dict[str, float]:
    precisions = [e["temporal_precision"] for e in eps if e["temporal_precision"] is not None]
    cand = [e["candidate_precision"] for e in eps if e["candidate_precision"] is not None]
    return {
        "n": float(len(eps)),
        "accuracy": _mean([e["accuracy"] for e in eps]),
        "exact_match": _mean([e["exact_match"] for e in eps]),
        "llm_accuracy": _mean([e["llm_accuracy"] for e in eps]),
        "temporal_precision": _mean(precisions),
        "n_precision": float(len(precisions)),
        "candidate_precision": _mean(cand),
        "filtered_share": _mean([float(e["filtered"]) for e in eps]),
        "seconds_per_question": _mean([e["seconds"] for e in eps]),
    }
