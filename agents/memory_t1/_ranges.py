"""Stage-1 evaluation: estimated time windows vs. Time-Dialog's annotated windows (ranges.jsonl).

report = evaluate_ranges(load_ranges(Path("ranges.jsonl")), RangeEvalConfig(out=Path("time_range.json")))
report["summary"]["estimator"]["explicit_exact"], report["by_group"]["estimator"]["open_start"]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from goalgraph.evals import EvalConfig, EvalTask, run_eval
from goalgraph.tools.temporal import TimeWindow, parse_window

from ._jsonl import json_rows
from ._window import estimate_window_text

__all__ = [
    "METRICS",
    "RangeEvalConfig",
    "RangeItem",
    "evaluate_ranges",
    "load_ranges",
    "score_window",
    "window_iou",
]

METRICS = ("explicit_exact", "explicit_iou", "open_bounds_correct", "exact", "open_bounds", "n")

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
    key: str = ""
    """Unique episode id: the question_id, with ``@LINE`` added where the file repeats that id."""

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
    """Read ranges.jsonl (or qa.jsonl rows with a time_range); errors name the file, line and field."""
    items: list[RangeItem] = []
    for n, where, row in json_rows(path, ("question_id", "question", "time_range")):
        tr = row["time_range"]
        if tr is None:
            continue
        if not isinstance(tr, dict) or not {"start", "end"} <= set(tr):
            raise ValueError(f"{where}: field 'time_range' must be an object with 'start' and 'end'")
        try:
            start, end = _bound(tr["start"], start=True), _bound(tr["end"], start=False)
        except ValueError as exc:
            raise ValueError(f"{where}: field 'time_range': {exc}") from exc
        items.append(RangeItem(str(row["question_id"]), str(row["question"]), start, end, key=f"@{n}"))
    if not items:
        raise ValueError(f"{path}: no questions with a time_range in the file")
    # Episode ids: the question_id, with "@LINE" only where the file repeats it (qa.jsonl does).
    counts = Counter(i.question_id for i in items)
    return [
        replace(i, key=i.question_id + i.key if counts[i.question_id] > 1 else i.question_id) for i in items
    ]


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


@dataclass(frozen=True)
class RangeEvalConfig:
    """How the stage-1 evaluation runs and where it writes."""

    out: Path
    """The results JSON (episode log ``<out>.episodes.jsonl`` and chart ``<out>.png`` beside it)."""
    concurrency: int = 2
    """Episodes in flight (matters only with a model: the rules take microseconds)."""
    resume: bool = False
    """Skip the episodes an interrupted run already finished."""
    quiet: bool = False
    """No progress bar or table."""
    chart: bool = True
    """Write the per-group PNG chart."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Top-level fields of the results file (the run's settings)."""


def score_window(item: RangeItem, w: TimeWindow) -> dict[str, float]:
    """One question's metrics: ``exact`` (both bounds to the minute), ``open_bounds`` (an open bound
    returned wherever the annotation has one), and the summary metrics of its group only:
    ``explicit_exact`` / ``explicit_iou`` for explicit windows, ``open_bounds_correct`` for open-start and
    fully open ones, so each system-level mean is over exactly the group the contract names (IoU is
    defined only between closed windows)."""
    exact = float(_minute(w.start) == _minute(item.start) and _minute(w.end) == _minute(item.end))
    open_ok = float((item.start is not None or w.start is None) and (item.end is not None or w.end is None))
    metrics = {"exact": exact, "open_bounds": open_ok, "n": 1.0}
    if item.group == "explicit":
        metrics |= {"explicit_exact": exact, "explicit_iou": window_iou(w, item.start, item.end)}
    if item.group in ("open_start", "open"):
        metrics["open_bounds_correct"] = open_ok
    return metrics


class _Runner:
    def __init__(self, items: Sequence[RangeItem], model: Any) -> None:
        if isinstance(model, str):
            from goalgraph.llm import model as make_model

            model = None if model == "none" else make_model(model)
        self.model = model
        self.items = {item.key: item for item in items}

    async def __call__(self, task: EvalTask) -> dict[str, Any]:
        item = self.items[task.id]
        if self.model is None:
            w = parse_window(item.question)
        else:
            w = await estimate_window_text(item.question, None, self.model)
        return {
            "question_id": item.question_id,
            "question": item.question,
            "gold": [_iso(item.start), _iso(item.end)],
            "pred": [_iso(w.start), _iso(w.end)],
            "source": w.source,
            "metrics": score_window(item, w),
        }


def evaluate_ranges(items: Sequence[RangeItem], config: RangeEvalConfig, model: Any = None) -> dict[str, Any]:
    """Score the window estimate of each item through the evaluation harness; returns the results document.

    Without ``model`` the estimate is the rule parser's; with one, the LLM's typed fallback answers where the
    parser finds nothing (ranges.jsonl carries no moment of asking, so relative guesses stay open).
    """
    document = run_eval(
        [EvalTask(id=item.key, system="estimator", group=item.group) for item in items],
        lambda: _Runner(items, model),
        EvalConfig(
            out=config.out,
            metrics=METRICS,
            aggregations={"n": "sum"},
            concurrency=config.concurrency,
            resume=config.resume,
            quiet=config.quiet,
            chart=False,
            extra=dict(config.extra),
            title="time-range",
        ),
    )
    if config.chart:
        from ._report import write_chart

        groups = document["by_group"].get("estimator", {})
        series = {
            m: {g: v.get(m) or 0.0 for g, v in groups.items()}
            for m in ("exact", "explicit_iou", "open_bounds")
        }
        write_chart(
            config.out.with_suffix(".png"), series, "share", "Time-window estimates by annotation group"
        )
    return document


def _iso(t: datetime | None) -> str | None:
    return None if t is None else t.isoformat()
