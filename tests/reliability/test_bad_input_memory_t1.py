"""Bad input to `goalgraph eval memory-t1` and `eval time-range` (see conftest)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Case, case_params, check_with_results_file

CASES: list[Case] = [
    # memory-t1
    (
        "memory-t1-line2",
        lambda d, o: [
            "eval",
            "memory-t1",
            "--data",
            f"{d}/qa-line2.jsonl",
            "--model",
            "none",
            "--out",
            str(o),
        ],
        ("qa-line2.jsonl:2", "json"),
    ),
    (
        "memory-t1-missing",
        lambda d, o: [
            "eval",
            "memory-t1",
            "--data",
            f"{d}/qa-missing.jsonl",
            "--model",
            "none",
            "--out",
            str(o),
        ],
        ("qa-missing.jsonl:1", "question_id"),
    ),
    (
        "memory-t1-type",
        lambda d, o: [
            "eval",
            "memory-t1",
            "--data",
            f"{d}/qa-type.jsonl",
            "--model",
            "none",
            "--out",
            str(o),
        ],
        ("qa-type.jsonl:1", "sessions"),
    ),
    (
        "memory-t1-time",
        lambda d, o: [
            "eval",
            "memory-t1",
            "--data",
            f"{d}/qa-time.jsonl",
            "--model",
            "none",
            "--out",
            str(o),
        ],
        ("qa-time.jsonl:1", "yesterday-ish"),
    ),
    (
        "memory-t1-not-json",
        lambda d, o: [
            "eval",
            "memory-t1",
            "--data",
            f"{d}/not-json.jsonl",
            "--model",
            "none",
            "--out",
            str(o),
        ],
        ("not-json.jsonl:1",),
    ),
    (
        "memory-t1-dir",
        lambda d, o: ["eval", "memory-t1", "--data", f"{d}/a-dir.jsonl", "--model", "none", "--out", str(o)],
        ("--data", "a-dir.jsonl"),
    ),
    (
        "memory-t1-memory",
        lambda d, o: [
            "eval",
            "memory-t1",
            "--data",
            f"{d}/qa-ok.jsonl",
            "--model",
            "none",
            "--memory",
            "everything",
            "--out",
            str(o),
        ],
        ("--memory", "everything"),
    ),
    (
        "memory-t1-limit",
        lambda d, o: [
            "eval",
            "memory-t1",
            "--data",
            f"{d}/qa-ok.jsonl",
            "--model",
            "none",
            "--limit",
            "0",
            "--out",
            str(o),
        ],
        ("--limit",),
    ),
    (
        "memory-t1-model",
        lambda d, o: ["eval", "memory-t1", "--data", f"{d}/qa-ok.jsonl", "--model", "gpt-9", "--out", str(o)],
        ("--model", "gpt-9"),
    ),
    (
        "memory-t1-out-dir",
        lambda d, o: [
            "eval",
            "memory-t1",
            "--data",
            f"{d}/qa-ok.jsonl",
            "--model",
            "none",
            "--out",
            str(o.parent),
        ],
        ("--out", "directory"),
    ),
    (
        "memory-t1-no-out",
        lambda d, o: ["eval", "memory-t1", "--data", f"{d}/qa-ok.jsonl", "--model", "none"],
        ("--out",),
    ),
    # time-range
    (
        "time-range-line2",
        lambda d, o: ["eval", "time-range", "--data", f"{d}/ranges-line2.jsonl", "--out", str(o)],
        ("ranges-line2.jsonl:2",),
    ),
    (
        "time-range-missing",
        lambda d, o: ["eval", "time-range", "--data", f"{d}/ranges-missing.jsonl", "--out", str(o)],
        ("ranges-missing.jsonl:1", "time_range"),
    ),
    (
        "time-range-type",
        lambda d, o: ["eval", "time-range", "--data", f"{d}/ranges-type.jsonl", "--out", str(o)],
        ("ranges-type.jsonl:1",),
    ),
    (
        "time-range-bound",
        lambda d, o: ["eval", "time-range", "--data", f"{d}/ranges-bound.jsonl", "--out", str(o)],
        ("ranges-bound.jsonl:1", "time_range"),
    ),
    (
        "time-range-dir",
        lambda d, o: ["eval", "time-range", "--data", f"{d}/a-dir.jsonl", "--out", str(o)],
        ("--data", "a-dir.jsonl"),
    ),
    (
        "time-range-model",
        lambda d, o: [
            "eval",
            "time-range",
            "--data",
            f"{d}/ranges-ok.jsonl",
            "--model",
            "gpt-9",
            "--out",
            str(o),
        ],
        ("--model", "gpt-9"),
    ),
    (
        "time-range-out-dir",
        lambda d, o: ["eval", "time-range", "--data", f"{d}/ranges-ok.jsonl", "--out", str(o.parent)],
        ("--out", "directory"),
    ),
]


@pytest.mark.parametrize(("argv", "expected"), case_params(CASES))
def test_bad_input_is_refused_by_name(
    rows: Path, tmp_path: Path, argv: Callable[[Path, Path], list[str]], expected: tuple[str, ...]
) -> None:
    check_with_results_file(rows, tmp_path, argv, expected)
