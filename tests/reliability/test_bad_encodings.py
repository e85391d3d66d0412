"""Bad input, continued: files in another encoding, empty data files, a truncated JPEG, a calendar edge.

Each case: exit 2, a message naming the file (and line), nothing written (fixtures and `check`: conftest).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image as PILImage

from .conftest import check


@pytest.fixture(scope="module")
def encoded(rows: Path) -> Path:
    for name in ("tasks", "multihop", "qa", "ranges"):
        row = json.loads((rows / f"{name}-missing.jsonl").read_text(encoding="utf-8"))
        row["note"] = "café"
        line = json.dumps(row, ensure_ascii=False) + "\n"
        (rows / f"{name}-latin1.jsonl").write_bytes(line.encode("latin-1", errors="replace"))
        (rows / f"{name}-utf16.jsonl").write_bytes(line.encode("utf-16"))
    (rows / "latin1.yaml").write_bytes("Name: café\n".encode("latin-1"))
    (rows / "utf16.yaml").write_bytes("Name: x\n".encode("utf-16"))
    scenes = rows / "scenes-latin1"
    scenes.mkdir(exist_ok=True)
    (scenes / "FloorPlan1.json").write_bytes('{"scene": "café", "objects": []}'.encode("latin-1"))
    rgb = np.random.default_rng(0).integers(0, 255, (48, 48, 3)).astype("uint8")
    PILImage.fromarray(rgb).save(rows / "ok.jpg")
    raw = (rows / "ok.jpg").read_bytes()
    (rows / "truncated.jpg").write_bytes(raw[: len(raw) // 3])
    return rows


@pytest.mark.parametrize("encoding", ["latin1", "utf16"])
@pytest.mark.parametrize(
    ("command", "option", "name", "extra"),
    [
        ("embodied", "--tasks", "tasks", ["--scenes", "{d}/scenes", "--model", "none", "--systems", "agent"]),
        ("rearag", "--data", "multihop", ["--model", "none"]),
        ("resum", "--data", "multihop", []),
        ("memory-t1", "--data", "qa", ["--model", "none"]),
        ("time-range", "--data", "ranges", []),
    ],
)
def test_wrong_encoding_names_the_file(encoded, tmp_path, encoding, command, option, name, extra):  # type: ignore[no-untyped-def]
    out = tmp_path / "results" / "r.json"
    argv = [
        "eval",
        command,
        option,
        f"{encoded}/{name}-{encoding}.jsonl",
        *[a.format(d=encoded) for a in extra],
        "--out",
        str(out),
    ]
    check(argv, (f"{name}-{encoding}.jsonl", "utf-8"), out)


@pytest.mark.parametrize("command", ["memory-t1", "time-range"])
def test_empty_data_file_is_refused(encoded, tmp_path, command):  # type: ignore[no-untyped-def]
    out = tmp_path / "results" / "r.json"
    argv = ["eval", command, "--data", f"{encoded}/empty.jsonl", "--out", str(out)]
    check(argv + (["--model", "none"] if command == "memory-t1" else []), ("empty.jsonl",), out)


@pytest.mark.parametrize("profile", ["latin1.yaml", "utf16.yaml"])
def test_profile_in_another_encoding_names_the_file(encoded, tmp_path, profile):  # type: ignore[no-untyped-def]
    argv = [
        "eval",
        "fourk",
        "--image",
        f"{encoded}/ok.png",
        "--profile",
        f"{encoded}/{profile}",
        "--model",
        "test",
        "--report",
        str(tmp_path),
    ]
    check(argv, (profile,))


def test_scene_in_another_encoding_names_the_file(encoded, tmp_path):  # type: ignore[no-untyped-def]
    out = tmp_path / "results" / "r.json"
    argv = [
        "eval",
        "embodied",
        "--tasks",
        f"{encoded}/tasks-ok.jsonl",
        "--scenes",
        f"{encoded}/scenes-latin1",
        "--model",
        "none",
        "--systems",
        "agent",
        "--out",
        str(out),
    ]
    check(argv, ("FloorPlan1.json",), out)


def test_fourk_out_directory_is_refused_before_the_evaluation(encoded, tmp_path):  # type: ignore[no-untyped-def]
    check(
        [
            "eval",
            "fourk",
            "--photos",
            "astronaut",
            "--levels",
            "1",
            "--model",
            "test",
            "--out",
            str(tmp_path),
        ],
        ("--out",),
    )


def test_truncated_jpeg_is_refused(encoded, tmp_path):  # type: ignore[no-untyped-def]
    argv = [
        "eval",
        "fourk",
        "--image",
        f"{encoded}/truncated.jpg",
        "--model",
        "test",
        "--report",
        str(tmp_path),
    ]
    check(argv, ("truncated.jpg",))


def test_resolve_guess_from_the_first_years_of_the_calendar() -> None:
    """tools/temporal: stepping back from asked_at near year 1 raises instead of returning None."""
    from datetime import datetime

    from goalgraph.tools.temporal import WindowGuess, resolve_guess

    for unit in ("day", "week", "month", "year"):
        window = resolve_guess(WindowGuess(unit=unit, periods_ago=1), "", datetime(1, 1, 1))  # type: ignore[arg-type]
        assert window is None or window.start is not None
