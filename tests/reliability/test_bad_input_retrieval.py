"""Bad input to `goalgraph eval rearag` and `eval resum` (see conftest)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Case, case_params, check_with_results_file

CASES: list[Case] = [
    # rearag
    (
        "rearag-line2",
        lambda d, o: [
            "eval",
            "rearag",
            "--data",
            f"{d}/multihop-line2.jsonl",
            "--model",
            "none",
            "--out",
            str(o),
        ],
        ("multihop-line2.jsonl:2", "json"),
    ),
    (
        "rearag-missing",
        lambda d, o: [
            "eval",
            "rearag",
            "--data",
            f"{d}/multihop-missing.jsonl",
            "--model",
            "none",
            "--out",
            str(o),
        ],
        ("multihop-missing.jsonl:1", "paragraphs"),
    ),
    (
        "rearag-type",
        lambda d, o: [
            "eval",
            "rearag",
            "--data",
            f"{d}/multihop-type.jsonl",
            "--model",
            "none",
            "--out",
            str(o),
        ],
        ("multihop-type.jsonl:1", "question"),
    ),
    (
        "rearag-not-object",
        lambda d, o: ["eval", "rearag", "--data", f"{d}/a-list.jsonl", "--model", "none", "--out", str(o)],
        ("a-list.jsonl:1",),
    ),
    (
        "rearag-not-json",
        lambda d, o: ["eval", "rearag", "--data", f"{d}/not-json.jsonl", "--model", "none", "--out", str(o)],
        ("not-json.jsonl:1",),
    ),
    (
        "rearag-empty",
        lambda d, o: ["eval", "rearag", "--data", f"{d}/empty.jsonl", "--model", "none", "--out", str(o)],
        ("empty.jsonl", "no questions"),
    ),
    (
        "rearag-blank-lines",
        lambda d, o: ["eval", "rearag", "--data", f"{d}/blank.jsonl", "--model", "none", "--out", str(o)],
        ("blank.jsonl", "no questions"),
    ),
    (
        "rearag-dir",
        lambda d, o: ["eval", "rearag", "--data", f"{d}/a-dir.jsonl", "--model", "none", "--out", str(o)],
        ("--data", "a-dir.jsonl"),
    ),
    (
        "rearag-missing-file",
        lambda d, o: ["eval", "rearag", "--data", f"{d}/nowhere.jsonl", "--model", "none", "--out", str(o)],
        ("--data", "nowhere.jsonl"),
    ),
    (
        "rearag-setting",
        lambda d, o: [
            "eval",
            "rearag",
            "--data",
            f"{d}/multihop-ok.jsonl",
            "--setting",
            "open-book",
            "--out",
            str(o),
        ],
        ("--setting",),
    ),
    (
        "rearag-max-steps",
        lambda d, o: [
            "eval",
            "rearag",
            "--data",
            f"{d}/multihop-ok.jsonl",
            "--max-steps",
            "0",
            "--out",
            str(o),
        ],
        ("--max-steps",),
    ),
    (
        "rearag-model",
        lambda d, o: [
            "eval",
            "rearag",
            "--data",
            f"{d}/multihop-ok.jsonl",
            "--model",
            "gpt-9",
            "--bm25-only",
            "--out",
            str(o),
        ],
        ("gpt-9",),
    ),
    (
        "rearag-out-dir",
        lambda d, o: [
            "eval",
            "rearag",
            "--data",
            f"{d}/multihop-ok.jsonl",
            "--model",
            "none",
            "--bm25-only",
            "--out",
            str(o.parent),
        ],
        ("--out", "directory"),
    ),
    # resum (an openai: spec builds no model until the first request, and counts tokens without one)
    (
        "resum-line2",
        lambda d, o: ["eval", "resum", "--data", f"{d}/multihop-line2.jsonl", "--out", str(o)],
        ("multihop-line2.jsonl:2", "json"),
    ),
    (
        "resum-missing",
        lambda d, o: ["eval", "resum", "--data", f"{d}/multihop-missing.jsonl", "--out", str(o)],
        ("multihop-missing.jsonl:1", "paragraphs"),
    ),
    (
        "resum-type",
        lambda d, o: ["eval", "resum", "--data", f"{d}/multihop-type.jsonl", "--out", str(o)],
        ("multihop-type.jsonl:1", "question"),
    ),
    (
        "resum-empty",
        lambda d, o: ["eval", "resum", "--data", f"{d}/empty.jsonl", "--out", str(o)],
        ("empty.jsonl", "no questions"),
    ),
    (
        "resum-dir",
        lambda d, o: ["eval", "resum", "--data", f"{d}/a-dir.jsonl", "--out", str(o)],
        ("--data", "a-dir.jsonl"),
    ),
    (
        "resum-budget",
        lambda d, o: ["eval", "resum", "--data", f"{d}/multihop-ok.jsonl", "--budget", "10", "--out", str(o)],
        ("--budget",),
    ),
    (
        "resum-model",
        lambda d, o: [
            "eval",
            "resum",
            "--data",
            f"{d}/multihop-ok.jsonl",
            "--model",
            "gpt-9",
            "--out",
            str(o),
        ],
        ("gpt-9",),
    ),
    (
        "resum-out-dir",
        lambda d, o: [
            "eval",
            "resum",
            "--data",
            f"{d}/multihop-ok.jsonl",
            "--model",
            "openai:m@http://127.0.0.1:9/v1",
            "--out",
            str(o.parent),
        ],
        ("--out", "directory"),
    ),
]


@pytest.mark.parametrize(("argv", "expected"), case_params(CASES))
def test_bad_input_is_refused_by_name(
    rows: Path, tmp_path: Path, argv: Callable[[Path, Path], list[str]], expected: tuple[str, ...]
) -> None:
    check_with_results_file(rows, tmp_path, argv, expected)
