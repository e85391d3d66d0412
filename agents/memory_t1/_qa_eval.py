"""`memory-t1` evaluation on Time-Dialog qa.jsonl: the pipeline with and without the time filter, one run."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from ._graph import build_memory_t1, run_question
from ._ranges import _bound
from ._rewards import accuracy_reward
from ._sessions import ingest_sessions, sessions_from_time_dialog
from ._types import MemoryT1Config, Question

__all__ = ["evaluate_qa", "load_qa"]

SYSTEMS = {"memory_t1": True, "no_time_filter": False}


def load_qa(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    """Rows of qa.jsonl; errors name the file, line and missing field."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{path}:{n}: not JSON ({exc.msg})") from exc
            for key in ("question_id", "question", "task", "gold_answer"):
                if key not in row:
                    raise ValueError(f"{path}:{n}: missing field {key!r}")
            rows.append(row)
            if limit is not None and len(rows) >= limit:
                break
    return rows


def _window(row: dict[str, Any]) -> tuple[datetime | None, datetime | None] | None:
    tr = row.get("time_range")
    if not tr:
        return None
    start, end = _bound(tr.get("start", "unknown"), start=True), _bound(tr.get("end", "unknown"), start=False)
    return None if start is None and end is None else (start, end)


def _precision(
    selected: list[str], times: dict[str, datetime], window: tuple[Any, Any] | None
) -> float | None:
    if window is None or not selected:
        return None
    start, end = window
    inside = [
        sid
        for sid in selected
        if sid in times and (start is None or times[sid] >= start) and (end is None or times[sid] <= end)
    ]
    return len(inside) / len(selected)


def evaluate_qa(
    rows: list[dict[str, Any]], model: Any, store: Any, progress: Callable[[], None] | None = None
) -> dict[str, Any]:
    """Run both systems on every row; returns the eval-contract dict."""
    graphs = {
        name: build_memory_t1(model=model, store=store, config=MemoryT1Config(use_time_filter=flag))
        for name, flag in SYSTEMS.items()
    }
    episodes: list[dict[str, Any]] = []
    for row in rows:
        ns = ("time-dialog", str(row["question_id"]))
        sessions = sessions_from_time_dialog(row)
        ingest_sessions(store, ns, sessions)
        times = {s.session_id: s.time for s in sessions}
        asked = datetime.fromisoformat(row["asked_at"]) if row.get("asked_at") else None
        q = Question(text=row["question"], namespace=ns, asked_at=asked, task=row["task"])
        for name, graph in graphs.items():
            state = asyncio.run(run_question(graph, q, thread_id=f"{name}:{row['question_id']}"))
            ans = state["answer"]
            acc = accuracy_reward(ans.answer, str(row["gold_answer"]), row["task"])
            episodes.append(
                {
                    "system": name,
                    "question_id": row["question_id"],
                    "task": row["task"],
                    "level": row["level"],
                    "answer": ans.answer,
                    "gold": row["gold_answer"],
                    "selected_memory": ans.selected_memory,
                    "window": state["time_window"].model_dump(mode="json"),
                    "candidates": list(state["candidates"].session_ids),
                    "n_sessions": len(sessions),
                    "accuracy": 1.0 if acc >= 1.0 else 0.0,
                    "answer_score": acc,
                    "temporal_precision": _precision(ans.selected_memory, times, _window(row)),
                }
            )
        if progress is not None:
            progress()
    return _summarize(episodes)


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


def _metrics(eps: list[dict[str, Any]]) -> dict[str, float]:
    precisions = [e["temporal_precision"] for e in eps if e["temporal_precision"] is not None]
    return {
        "n": float(len(eps)),
        "accuracy": sum(e["accuracy"] for e in eps) / len(eps) if eps else 0.0,
        "temporal_precision": sum(precisions) / len(precisions) if precisions else 0.0,
        "n_precision": float(len(precisions)),
    }
