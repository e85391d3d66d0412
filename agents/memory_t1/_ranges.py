"""Stage-1 evaluation: estimated time windows vs. Time-Dialog's annotated windows (ranges.jsonl)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from goalgraph.tools.temporal import TimeWindow, parse_window

from ._window import estimate_window_text

__all__ = ["RangeItem", "evaluate_ranges", "load_ranges", "window_iou"]

# The benchmark writes unknown bounds as these sentinels, and "now" as the 2025-07-17 moment of asking.
_OPEN_START = ("unknown", "1900-01-01")
_OPEN_END_PREFIXES = ("unknown", "2025-09-01T00:00:00", "2025-07-17")


@dataclass(frozen=True)
class RangeItem:
    """One annotated question: its id, text, and the gold window (None bounds are open)."""

    question_id: str
    question: str
    start: datetime | None
    end: datetime | None

    @property
    def group(self) -> str:
        """explicit (both bounds), open_start, open_end, open (neither), or invalid_gold."""
        if _INVALID in (self.start, self.end):
            return "invalid_gold"
        return {
            (True, True): "explicit",
            (False, True): "open_start",
            (True, False): "open_end",
            (False, False): "open",
        }[(self.start is not None, self.end is not None)]


def _bound(value: Any, *, start: bool) -> datetime | None:
    if isinstance(value, list):  # a few items annotate two facts; the first fact's bound is the window
        value = value[0]
    if not isinstance(value, str):
        raise ValueError(f"time_range bound must be a string, got {value!r}")
    if start and value.startswith(_OPEN_START):
        return None
    if not start and value.startswith(_OPEN_END_PREFIXES):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return _INVALID  # e.g. "2022-09-31": naive day arithmetic in the annotation; scored apart


_INVALID = datetime(1, 1, 1)


def load_ranges(path: Path) -> list[RangeItem]:
    """Read ranges.jsonl (or qa.jsonl rows with a time_range); errors name the file and line."""
    items: list[RangeItem] = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
                tr = row["time_range"]
                if tr is None:
                    continue
                items.append(
                    RangeItem(
                        str(row["question_id"]),
                        row["question"],
                        _bound(tr["start"], start=True),
                        _bound(tr["end"], start=False),
                    )
                )
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{n}: bad row ({exc})") from exc
    return items


def _minute(t: datetime | None) -> datetime | None:
    return None if t is None else t.replace(second=0, microsecond=0)


def window_iou(a: TimeWindow, b_start: datetime | None, b_end: datetime | None) -> float:
    """Intersection over union of two closed windows (in seconds); 0 when either is open or empty."""
    if None in (a.start, a.end, b_start, b_end):
        return 0.0
    assert a.start and a.end and b_start and b_end
    inter = (min(a.end, b_end) - max(a.start, b_start)).total_seconds()
    union = (max(a.end, b_end) - min(a.start, b_start)).total_seconds()
    if union <= 0:
        return 1.0 if a.start == b_start else 0.0
    return max(0.0, inter) / union


def evaluate_ranges(items: Iterable[RangeItem], progress: Any = None, model: Any = None) -> dict[str, Any]:
    """Score the window estimate of each item; returns the eval-contract dict (summary, by_group, episodes).

    Without ``model`` the estimate is the rule parser's; with one, the LLM's typed fallback answers where the
    parser finds nothing (ranges.jsonl carries no moment of asking, so relative guesses stay open).
    """
    episodes: list[dict[str, Any]] = []
    for item in items:
        w = (
            parse_window(item.question)
            if model is None
            else asyncio.run(estimate_window_text(item.question, None, model))
        )
        exact = _minute(w.start) == _minute(item.start) and _minute(w.end) == _minute(item.end)
        open_ok = (item.start is not None or w.start is None) and (item.end is not None or w.end is None)
        episodes.append(
            {
                "question_id": item.question_id,
                "group": item.group,
                "question": item.question,
                "gold": [
                    None if item.start is None else item.start.isoformat(),
                    None if item.end is None else item.end.isoformat(),
                ],
                "pred": [
                    None if w.start is None else w.start.isoformat(),
                    None if w.end is None else w.end.isoformat(),
                ],
                "source": w.source,
                "exact": exact,
                "iou": window_iou(w, item.start, item.end),
                "open_bounds_correct": open_ok,
            }
        )
        if progress is not None:
            progress()
    by_group: dict[str, dict[str, float]] = {}
    for g in sorted({e["group"] for e in episodes}):
        eps = [e for e in episodes if e["group"] == g]
        by_group[g] = {
            "n": len(eps),
            "exact": _mean(e["exact"] for e in eps),
            "iou": _mean(e["iou"] for e in eps),
            "open_bounds_correct": _mean(e["open_bounds_correct"] for e in eps),
        }
    explicit = [e for e in episodes if e["group"] == "explicit"]
    opened = [e for e in episodes if e["group"] in ("open_start", "open")]
    summary = {
        "explicit_exact": _mean(e["exact"] for e in explicit),
        "explicit_iou": _mean(e["iou"] for e in explicit),
        "open_bounds_correct": _mean(e["open_bounds_correct"] for e in opened),
    }
    return {"summary": {"estimator": summary}, "by_group": {"estimator": by_group}, "episodes": episodes}


def _mean(values: Iterable[float]) -> float:
    vals = [float(v) for v in values]
    return sum(vals) / len(vals) if vals else 0.0
