"""Bad input to `goalgraph eval fourk` / `demo fourk`: images and profiles, made here (no shared data; see conftest)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Case, case_params, check_with_results_file

CASES: list[Case] = [
    (
        "fourk-truncated-png",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/truncated.png",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("truncated.png",),
    ),
    (
        "fourk-zero-bytes",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/zero.png",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("zero.png", "empty"),
    ),
    (
        "fourk-text-as-png",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/text.png",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("text.png", "not a readable image"),
    ),
    (
        "fourk-huge",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/huge.png",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("huge.png", "large"),
    ),
    (
        "fourk-zero-size",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/zero-size.png",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("zero-size.png",),
    ),
    (
        "fourk-too-wide",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/too-wide.png",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("too-wide.png", "20000"),
    ),
    (
        "fourk-image-dir",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/an-image-dir.png",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("an-image-dir.png", "not a file"),
    ),
    (
        "fourk-image-missing",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/nowhere.png",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("nowhere.png", "no such file"),
    ),
    (
        "fourk-profile-unknown",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/ok.png",
            "--profile",
            "Turbo8K",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("Turbo8K", "bundled profiles"),
    ),
    (
        "fourk-profile-bad-yaml",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/ok.png",
            "--profile",
            f"{d}/bad.yaml",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("bad.yaml", "yaml", "line 1"),
    ),
    (
        "fourk-profile-list",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/ok.png",
            "--profile",
            f"{d}/list.yaml",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("list.yaml",),
    ),
    (
        "fourk-profile-types",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/ok.png",
            "--profile",
            f"{d}/types.yaml",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("types.yaml", "ScaleFactor", "MaxWorkers"),
    ),
    (
        "fourk-profile-task",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/ok.png",
            "--profile",
            f"{d}/task.yaml",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("task.yaml", "RestoreOption", "teleport"),
    ),
    (
        "fourk-profile-range",
        lambda d, o: [
            "eval",
            "fourk",
            "--image",
            f"{d}/ok.png",
            "--profile",
            f"{d}/range.yaml",
            "--model",
            "test",
            "--report",
            str(o.parent),
        ],
        ("range.yaml", "RollbackThreshold"),
    ),
    (
        "fourk-photos",
        lambda d, o: ["eval", "fourk", "--photos", "astronaut,unicorn", "--model", "test", "--out", str(o)],
        ("--photos", "unicorn"),
    ),
    ("fourk-levels", lambda d, o: ["eval", "fourk", "--levels", "9", "--out", str(o)], ("--levels",)),
]


@pytest.mark.parametrize(("argv", "expected"), case_params(CASES))
def test_bad_input_is_refused_by_name(
    files: Path, tmp_path: Path, argv: Callable[[Path, Path], list[str]], expected: tuple[str, ...]
) -> None:
    check_with_results_file(files, tmp_path, argv, expected)
