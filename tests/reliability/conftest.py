"""Shared by the reliability tests: the bad-input files, and the CLI check every bad-input case uses.

Each bad-input case runs the real CLI in-process (typer's CliRunner) on files made here: malformed JSON
lines, missing fields, wrong types, empty files, directories for files, broken images, bad profile YAML,
bad scene files, bad trace stores. Cases that need a valid row to break start from the first row of the
shared data and skip without it. A case passes when the command exits 2 with a message naming the file,
line, field or option, no traceback, and nothing written half-way (the previous results file intact).
"""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image as PILImage
from typer.testing import CliRunner

from goalgraph.cli import app

PREVIOUS = '{"previous": "results, must stay intact"}'
_BOX = re.compile(r"[│╭╮╰╯─]+")

Case = tuple[str, Callable[[Path, Path], list[str]], tuple[str, ...]]
"""(id, argv from (files folder, results file), fragments the message must contain)."""


def _png_header(width: int, height: int) -> bytes:
    """A PNG whose header claims `width`×`height` (no real pixel data)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every bad file the cases use (data-free ones; rows of real data are added by `rows`)."""
    d = tmp_path_factory.mktemp("bad")
    (d / "empty.jsonl").write_text("")
    (d / "blank.jsonl").write_text("\n  \n\n")
    (d / "not-json.jsonl").write_text("this is not json\n")
    (d / "a-list.jsonl").write_text("[1, 2, 3]\n")
    (d / "no-fields.jsonl").write_text('{"unrelated": 1}\n')
    (d / "a-dir.jsonl").mkdir()
    (d / "traces.db").write_text("")  # replaced by a real store in the trace cases
    (d / "not-a-db.db").write_text("SQLite format 2? no, just text\n")
    rgb = np.random.default_rng(0).integers(0, 255, (48, 48, 3)).astype("uint8")
    PILImage.fromarray(rgb).save(d / "ok.png")
    raw = (d / "ok.png").read_bytes()
    (d / "truncated.png").write_bytes(raw[: len(raw) // 2])
    (d / "zero.png").write_bytes(b"")
    (d / "text.png").write_text("hello, I am not an image")
    (d / "huge.png").write_bytes(_png_header(100_000, 100_000))
    (d / "zero-size.png").write_bytes(_png_header(0, 10))
    PILImage.fromarray(np.zeros((1, 20_000, 3), "uint8")).save(d / "too-wide.png")
    (d / "an-image-dir.png").mkdir()
    (d / "bad.yaml").write_text("Upscale4K: [unclosed\n")
    (d / "list.yaml").write_text("- 1\n- 2\n")
    (d / "types.yaml").write_text("ScaleFactor: 3\nMaxWorkers: many\n")
    (d / "task.yaml").write_text("RestoreOption: denoising+teleport\n")
    (d / "range.yaml").write_text("RollbackThreshold: 7\n")
    scenes = d / "scenes-bad-json"
    scenes.mkdir()
    (scenes / "FloorPlan1.json").write_text('{"scene": "FloorPlan1", "objects": [')
    scenes = d / "scenes-bad-field"
    scenes.mkdir()
    (scenes / "FloorPlan1.json").write_text('{"scene": 1, "objects": "none"}')
    (d / "scenes-empty").mkdir()
    return d


@pytest.fixture(scope="module")
def rows(files: Path, shared_data: Path) -> Path:
    """Bad data files made from one real row of each shared data file."""
    d = files

    def first(name: str) -> dict[str, Any]:
        with (shared_data / name).open(encoding="utf-8") as f:
            return dict(json.loads(f.readline()))

    samples = {
        "tasks": first("embodied/tasks.jsonl"),
        "multihop": first("multihop/questions.jsonl"),
        "qa": first("time-dialog/qa.jsonl"),
        "ranges": first("time-dialog/ranges.jsonl"),
    }
    breaks = {
        "tasks": ("instruction_idx", "six"),
        "multihop": ("question", 12345),
        "qa": ("sessions", 12345),
        "ranges": ("time_range", 12345),
    }
    drops = {"tasks": "scene", "multihop": "paragraphs", "qa": "question_id", "ranges": "time_range"}
    for name, row in samples.items():
        good = json.dumps(row)
        (d / f"{name}-line2.jsonl").write_text(good + "\n{not json\n")
        (d / f"{name}-missing.jsonl").write_text(
            json.dumps({k: v for k, v in row.items() if k != drops[name]}) + "\n"
        )
        field, wrong = breaks[name]
        (d / f"{name}-type.jsonl").write_text(json.dumps({**row, field: wrong}) + "\n")
    (d / "tasks-scene.jsonl").write_text(json.dumps({**samples["tasks"], "scene": "FloorPlan999"}) + "\n")
    (d / "qa-time.jsonl").write_text(json.dumps({**samples["qa"], "asked_at": "yesterday-ish"}) + "\n")
    (d / "ranges-bound.jsonl").write_text(
        json.dumps({**samples["ranges"], "time_range": {"start": "garbage", "end": 5}}) + "\n"
    )
    (d / "multihop-ok.jsonl").write_text(json.dumps(samples["multihop"]) + "\n")
    (d / "qa-ok.jsonl").write_text(json.dumps(samples["qa"]) + "\n")
    (d / "ranges-ok.jsonl").write_text(json.dumps(samples["ranges"]) + "\n")
    (d / "scenes").symlink_to(shared_data / "embodied" / "scenes")
    (d / "tasks-ok.jsonl").symlink_to(shared_data / "embodied" / "tasks.jsonl")
    return d


def invoke(argv: list[str]) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app, argv, env={"COLUMNS": "2000", "TERMINAL_WIDTH": "2000"})
    text = " ".join(_BOX.sub(" ", result.output).split())
    error = None if isinstance(result.exception, SystemExit) else result.exception
    return result.exit_code, text, error


def check(argv: list[str], expected: tuple[str, ...], out: Path | None = None) -> None:
    """Exit 2, every expected fragment in the message, no exception escaping, `out`'s folder untouched."""
    before = None
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(PREVIOUS)
        before = sorted(p.name for p in out.parent.iterdir())
    code, text, error = invoke(argv)
    assert error is None, f"{argv}: {type(error).__name__}: {error}"
    assert code == 2, f"{argv}: exit {code}: {text[-800:]}"
    assert "Traceback" not in text
    for fragment in expected:
        assert fragment.lower() in text.lower(), f"{argv}: {fragment!r} not in {text[-800:]!r}"
    if out is not None:
        assert out.read_text() == PREVIOUS, "the previous results file was changed"
        assert sorted(p.name for p in out.parent.iterdir()) == before, "files were written"


Case = tuple[str, Callable[[Path, Path], list[str]], tuple[str, ...]]


def case_params(cases: list[Case]) -> list[Any]:
    """`cases` as pytest parameters ``(argv, expected)``, each with its id."""
    return [pytest.param(argv, expected, id=name) for name, argv, expected in cases]


def check_with_results_file(
    folder: Path, tmp_path: Path, argv: Callable[[Path, Path], list[str]], expected: tuple[str, ...]
) -> None:
    """`check` for a command that writes a results file: a previous one must survive the refusal."""
    out = tmp_path / "results" / "r.json"
    check(argv(folder, out), expected, out)
