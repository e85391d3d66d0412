"""`benchmarks/time_range_ceiling.py`: window conventions of span questions, and the ceiling on a small file."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from goalgraph.agents.memory_t1 import load_ranges

CEILING = "benchmarks/time_range_ceiling.py"


def test_span_conventions_hand_computed(script: Any) -> None:
    ceiling = script(CEILING)
    found = ceiling.span_conventions("What has Sara made in just 9 years after 12:00 am, March 03, 2023")
    assert found is not None
    cell, windows = found
    assert cell == ("after", "year", True)
    assert windows["moments"] == (datetime(2023, 3, 3), datetime(2032, 3, 3))
    assert windows["shifted_day"] == (datetime(2032, 3, 3), datetime(2032, 3, 3, 23, 59, 59))
    before = ceiling.span_conventions("What did Jon open in just 3 days before 10:04 am, June 19, 2023")
    assert before is not None
    assert before[0] == ("before", "day", False)
    assert before[1]["whole_days_end_exclusive"] == (datetime(2023, 6, 16), datetime(2023, 6, 18, 23, 59, 59))
    assert ceiling.span_conventions("What did Jon open last week") is None


def _row(qid: str, question: str, start: str, end: str) -> str:
    return json.dumps({"question_id": qid, "question": question, "time_range": {"start": start, "end": end}})


def test_ceiling_counts_inconsistent_conventions(tmp_path: Path, script: Any) -> None:
    """Two identical constructions annotated two ways: at most one of them can be matched by a rule."""
    data = tmp_path / "ranges.jsonl"
    data.write_text(
        "\n".join(
            [
                _row(
                    "a",
                    "What has Sara made in just 9 years after 12:00 am, March 03, 2023",
                    "2032-03-03T00:00:00",
                    "2032-03-03T23:59:59",
                ),
                _row(
                    "b",
                    "What has Sara made in just 24 years after 12:00 am, March 03, 2023",
                    "2023-03-03T00:00:00",
                    "2047-03-03T00:00:00",
                ),
                _row(
                    "c",
                    "What did Ann do between March 14, 2020 and April 1, 2020",
                    "2020-03-14T00:00:00",
                    "2020-04-01T23:59:59",
                ),
                _row("d", "What did John see yesterday", "2023-10-16T00:00:00", "2023-10-16T23:59:59"),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = script(CEILING).ceiling(load_ranges(data))["summary"]["ceiling"]
    assert result["explicit_items"] == 4
    assert result["span_items"] == 2
    assert result["span_best_convention_hits"] == 1
    assert result["needs_moment_of_asking"] == 1
    # c by the parser, one of a/b, never d.
    assert result["explicit_exact_max"] == 2 / 4
    assert result["explicit_iou_max"] < 3 / 4
