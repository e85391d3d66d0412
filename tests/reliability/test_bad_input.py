"""Bad input at every `goalgraph` command: a clear message naming the file, line, field or option,
exit code 2, no traceback, and nothing written half-way (the previous results file stays as it was).

Each case runs the real CLI in-process (typer's CliRunner) on files made here: malformed JSON lines,
missing fields, wrong types, empty files, directories for files, broken images, bad profile YAML,
bad scene files, bad trace stores. Cases that need a valid row to break start from the first row of
the shared data and skip without it.
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


def _invoke(argv: list[str]) -> tuple[int, str, BaseException | None]:
    result = CliRunner().invoke(app, argv, env={"COLUMNS": "2000", "TERMINAL_WIDTH": "2000"})
    text = " ".join(_BOX.sub(" ", result.output).split())
    error = None if isinstance(result.exception, SystemExit) else result.exception
    return result.exit_code, text, error


def _check(argv: list[str], expected: tuple[str, ...], out: Path | None = None) -> None:
    """Exit 2, every expected fragment in the message, no exception escaping, `out`'s folder untouched."""
    before = None
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(PREVIOUS)
        before = sorted(p.name for p in out.parent.iterdir())
    code, text, error = _invoke(argv)
    assert error is None, f"{argv}: {type(error).__name__}: {error}"
    assert code == 2, f"{argv}: exit {code}: {text[-800:]}"
    assert "Traceback" not in text
    for fragment in expected:
        assert fragment.lower() in text.lower(), f"{argv}: {fragment!r} not in {text[-800:]!r}"
    if out is not None:
        assert out.read_text() == PREVIOUS, "the previous results file was changed"
        assert sorted(p.name for p in out.parent.iterdir()) == before, "files were written"


Case = tuple[str, Callable[[Path, Path], list[str]], tuple[str, ...]]

# (id, argv from (files folder, results file), fragments the message must contain)
EVAL_CASES: list[Case] = [
    # embodied: tasks file, scene files, options
    (
        "embodied-tasks-line2",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-line2.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("tasks-line2.jsonl:2", "json"),
    ),
    (
        "embodied-tasks-missing",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-missing.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("tasks-missing.jsonl:1", "scene"),
    ),
    (
        "embodied-tasks-type",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-type.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("tasks-type.jsonl:1", "instruction_idx"),
    ),
    (
        "embodied-tasks-unknown-scene",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-scene.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("tasks-scene.jsonl", "FloorPlan999"),
    ),
    (
        "embodied-tasks-empty",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/empty.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("empty.jsonl", "no tasks"),
    ),
    (
        "embodied-tasks-dir",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/a-dir.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("--tasks", "a-dir.jsonl"),
    ),
    (
        "embodied-tasks-missing-file",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/nowhere.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("--tasks", "nowhere.jsonl"),
    ),
    (
        "embodied-scene-bad-json",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/scenes-bad-json",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("FloorPlan1.json", "json"),
    ),
    (
        "embodied-scene-bad-field",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/scenes-bad-field",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("FloorPlan1.json", "scene"),
    ),
    (
        "embodied-scenes-empty",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/scenes-empty",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("scenes-empty",),
    ),
    (
        "embodied-scenes-a-file",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/tasks-ok.jsonl",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("--scenes",),
    ),
    (
        "embodied-systems",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "none",
            "--systems",
            "agent,robot",
            "--out",
            str(o),
        ],
        ("--systems", "robot"),
    ),
    (
        "embodied-react-without-model",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "none",
            "--out",
            str(o),
        ],
        ("--model", "react"),
    ),
    (
        "embodied-model",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "gpt-9",
            "--systems",
            "agent",
            "--out",
            str(o),
        ],
        ("--model", "gpt-9"),
    ),
    (
        "embodied-prior",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "none",
            "--systems",
            "agent",
            "--prior",
            f"{d}/not-json.jsonl",
            "--out",
            str(o),
        ],
        ("--prior", "not-json.jsonl"),
    ),
    (
        "embodied-concurrency",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--concurrency",
            "0",
            "--out",
            str(o),
        ],
        ("--concurrency",),
    ),
    (
        "embodied-limit-type",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--limit",
            "ten",
            "--out",
            str(o),
        ],
        ("--limit",),
    ),
    (
        "embodied-unknown-option",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--turbo",
            "--out",
            str(o),
        ],
        ("--turbo",),
    ),
    (
        "embodied-out-dir",
        lambda d, o: [
            "eval",
            "embodied",
            "--tasks",
            f"{d}/tasks-ok.jsonl",
            "--scenes",
            f"{d}/scenes",
            "--model",
            "none",
            "--systems",
            "agent",
            "--out",
            str(o.parent),
        ],
        ("--out", "directory"),
    ),
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

# fourk needs no shared data: images and profiles are made here.
FOURK_CASES: list[Case] = [
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


@pytest.mark.parametrize(("argv", "expected"), [pytest.param(c[1], c[2], id=c[0]) for c in EVAL_CASES])
def test_eval_data_and_options(
    rows: Path, tmp_path: Path, argv: Callable[[Path, Path], list[str]], expected: tuple[str, ...]
) -> None:
    out = tmp_path / "results" / "r.json"
    _check(argv(rows, out), expected, out)


@pytest.mark.parametrize(("argv", "expected"), [pytest.param(c[1], c[2], id=c[0]) for c in FOURK_CASES])
def test_fourk_images_and_profiles(
    files: Path, tmp_path: Path, argv: Callable[[Path, Path], list[str]], expected: tuple[str, ...]
) -> None:
    out = tmp_path / "results" / "r.json"
    _check(argv(files, out), expected, out)


@pytest.fixture(scope="module")
def trace_db(files: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real trace store with one run, and OTLP-JSON files made from it."""
    from goalgraph import traces

    db = tmp_path_factory.mktemp("store") / "traces.db"
    traces.setup(db, settings=traces.TraceSettings(batch_delay_ms=20))
    with traces.agent_run("one-run"):
        pass
    traces.shutdown()
    store = traces.TraceStore(db)
    traces.export_otlp_json(store, store.trace_ids(), files / "good.jsonl")
    store.close()
    good = (files / "good.jsonl").read_text()
    trace_id = json.loads(good)["resourceSpans"][0]["scopeSpans"][0]["spans"][0]["traceId"]
    # Two good traces, then a broken line: the import must write neither of the good ones.
    broken = '{"resourceSpans": [{"scopeSpans": [{"spans": [{}]}]}]}\n'
    (files / "otlp-line3.jsonl").write_text(good + good.replace(trace_id, "f" * 32) + broken)
    (files / "latin1.jsonl").write_bytes('{"resourceSpans": [], "x": "café"}\n'.encode("latin-1"))
    (files / "utf16.jsonl").write_bytes('{"resourceSpans": []}\n'.encode("utf-16"))
    return db


def _span_count(db: Path) -> int:
    from goalgraph.traces import TraceStore

    store = TraceStore(db, create=False)
    try:
        return sum(len(list(store.spans(t))) for t in store.trace_ids())
    finally:
        store.close()


TRACE_CASES: list[Case] = [
    (
        "serve-missing-db",
        lambda d, db: ["traces", "serve", "--db", f"{d}/nowhere.db"],
        ("--db", "nowhere.db"),
    ),
    (
        "serve-not-a-db",
        lambda d, db: ["traces", "serve", "--db", f"{d}/not-a-db.db"],
        ("not-a-db.db", "not a goalgraph trace store"),
    ),
    ("serve-db-dir", lambda d, db: ["traces", "serve", "--db", f"{d}/a-dir.jsonl"], ("--db", "a-dir.jsonl")),
    ("serve-port-type", lambda d, db: ["traces", "serve", "--db", str(db), "--port", "http"], ("--port",)),
    ("serve-port-range", lambda d, db: ["traces", "serve", "--db", str(db), "--port", "70000"], ("--port",)),
    (
        "serve-remote-without-flag",
        lambda d, db: ["traces", "serve", "--db", str(db), "--host", "0.0.0.0"],
        ("0.0.0.0", "--allow-remote"),
    ),
    (
        "serve-remote-without-token",
        lambda d, db: ["traces", "serve", "--db", str(db), "--host", "0.0.0.0", "--allow-remote"],
        ("--token",),
    ),
    (
        "serve-remote-short-token",
        lambda d, db: [
            "traces",
            "serve",
            "--db",
            str(db),
            "--host",
            "192.168.1.10",
            "--allow-remote",
            "--token",
            "abc",
        ],
        ("16 characters",),
    ),
    (
        "serve-hostname",
        lambda d, db: ["traces", "serve", "--db", str(db), "--host", "example.org"],
        ("example.org", "--allow-remote"),
    ),
    ("ls-not-a-db", lambda d, db: ["traces", "ls", "--db", f"{d}/not-a-db.db"], ("not-a-db.db",)),
    (
        "ls-status",
        lambda d, db: ["traces", "ls", "--db", str(db), "--status", "MAYBE"],
        ("--status", "MAYBE"),
    ),
    ("ls-limit", lambda d, db: ["traces", "ls", "--db", str(db), "--limit", "lots"], ("--limit",)),
    (
        "show-unknown-run",
        lambda d, db: ["traces", "show", "ffffffffffff", "--db", str(db)],
        ("ffffffffffff",),
    ),
    (
        "show-not-hex",
        lambda d, db: ["traces", "show", "../../etc/passwd", "--db", str(db)],
        ("../../etc/passwd",),
    ),
    ("show-markup-ref", lambda d, db: ["traces", "show", "[/]", "--db", str(db)], ("[/]",)),
    ("export-no-target", lambda d, db: ["traces", "export", "--db", str(db)], ("--otlp-json",)),
    (
        "export-to-dir",
        lambda d, db: ["traces", "export", "last", "--db", str(db), "--otlp-json", f"{d}/a-dir.jsonl"],
        ("a-dir.jsonl", "directory"),
    ),
    (
        "export-unknown-run",
        lambda d, db: ["traces", "export", "abcdef", "--db", str(db), "--otlp-json", f"{d}/x.jsonl"],
        ("abcdef",),
    ),
    (
        "import-missing",
        lambda d, db: ["traces", "import", f"{d}/nowhere.jsonl", "--db", str(db)],
        ("nowhere.jsonl", "no such file"),
    ),
    (
        "import-dir",
        lambda d, db: ["traces", "import", f"{d}/a-dir.jsonl", "--db", str(db)],
        ("a-dir.jsonl", "directory"),
    ),
    (
        "import-not-json",
        lambda d, db: ["traces", "import", f"{d}/not-json.jsonl", "--db", str(db)],
        ("not-json.jsonl:1",),
    ),
    (
        "import-latin1",
        lambda d, db: ["traces", "import", f"{d}/latin1.jsonl", "--db", str(db)],
        ("latin1.jsonl:1", "utf-8"),
    ),
    (
        "import-utf16",
        lambda d, db: ["traces", "import", f"{d}/utf16.jsonl", "--db", str(db)],
        ("utf16.jsonl:1", "utf-8"),
    ),
    (
        "import-bad-line-3",
        lambda d, db: ["traces", "import", f"{d}/otlp-line3.jsonl", "--db", str(db)],
        ("otlp-line3.jsonl:3",),
    ),
    (
        "import-into-not-a-db",
        lambda d, db: ["traces", "import", f"{d}/otlp-line3.jsonl", "--db", f"{d}/not-a-db.db"],
        ("not-a-db.db",),
    ),
    (
        "import-into-dir",
        lambda d, db: ["traces", "import", f"{d}/otlp-line3.jsonl", "--db", f"{d}/a-dir.jsonl"],
        ("a-dir.jsonl", "directory"),
    ),
]


@pytest.mark.parametrize(("argv", "expected"), [pytest.param(c[1], c[2], id=c[0]) for c in TRACE_CASES])
def test_traces_commands(
    files: Path, trace_db: Path, argv: Callable[[Path, Path], list[str]], expected: tuple[str, ...]
) -> None:
    before = _span_count(trace_db)
    _check(argv(files, trace_db), expected)
    assert _span_count(trace_db) == before  # nothing imported half-way


OTHER_CASES: list[Case] = [
    ("llm-chat-spec", lambda d, o: ["llm", "chat", "hello", "--model", "gpt-9"], ("gpt-9",)),
    (
        "llm-chat-missing-gguf",
        lambda d, o: ["llm", "chat", "hello", "--model", f"local:{d}/nowhere.gguf"],
        ("nowhere.gguf",),
    ),
    (
        "llm-chat-not-a-model",
        lambda d, o: ["llm", "chat", "hello", "--model", f"local:{d}/ok.png"],
        ("ok.png",),
    ),
    ("llm-chat-no-prompt", lambda d, o: ["llm", "chat"], ("prompt",)),
    ("llm-chat-max-tokens", lambda d, o: ["llm", "chat", "hi", "--max-tokens", "many"], ("--max-tokens",)),
    ("llm-serve-remote", lambda d, o: ["llm", "serve", "--host", "0.0.0.0"], ("0.0.0.0", "--allow-remote")),
    (
        "llm-serve-not-local",
        lambda d, o: ["llm", "serve", "--model", "openai:m@http://127.0.0.1:9/v1"],
        ("not a local model",),
    ),
    ("llm-serve-port", lambda d, o: ["llm", "serve", "--port", "-1"], ("--port",)),
    ("demo-unknown", lambda d, o: ["demo", "teleport"], ("teleport",)),
    ("eval-unknown", lambda d, o: ["eval", "chess"], ("chess",)),
    ("command-unknown", lambda d, o: ["frobnicate"], ("frobnicate",)),
    ("option-unknown", lambda d, o: ["--frobnicate"], ("--frobnicate",)),
]


@pytest.mark.parametrize(("argv", "expected"), [pytest.param(c[1], c[2], id=c[0]) for c in OTHER_CASES])
def test_llm_demo_and_top_level(
    files: Path, tmp_path: Path, argv: Callable[[Path, Path], list[str]], expected: tuple[str, ...]
) -> None:
    _check(argv(files, tmp_path / "r.json"), expected)


def test_hostile_span_names_do_not_break_the_terminal_output(tmp_path: Path) -> None:
    """Trace content is data, not rich markup: `[/]` or `[link=...]` in a name is printed as it is."""
    from opentelemetry.trace import Status, StatusCode

    from goalgraph import traces

    db = tmp_path / "traces.db"
    traces.setup(db, settings=traces.TraceSettings(batch_delay_ms=20))
    with (
        traces.agent_run("[/bold] agent [red]"),
        traces.start_span("[/] [link=file:///etc/passwd]x", kind=traces.SpanKind.TOOL) as span,
    ):
        span.set_status(Status(StatusCode.ERROR, "[/] failed [bold]"))
    traces.shutdown()
    for argv in (["traces", "show", "last", "--db", str(db)], ["traces", "ls", "--db", str(db)]):
        code, text, error = _invoke(argv)
        assert error is None and code == 0, f"{argv}: {error} {text}"
    _, text, _ = _invoke(["traces", "show", "last", "--db", str(db)])
    assert "[/] [link=file:///etc/passwd]x" in text and "[/] failed [bold]" in text
    _, text, _ = _invoke(["traces", "ls", "--db", str(db)])
    assert "[/bold] agent [red]" in text
