"""The 4KAgent demo runs end to end on a small degraded photo and writes a report a person can read."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "fourk_demo.py"


def test_fourk_demo_writes_the_report(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    module = runpy.run_path(str(EXAMPLE))
    out = tmp_path / "demo"
    page = module["main"](["--out", str(out), "--side", "64", "--profile", "GenSR-s4-F", "--model", "test"])
    text = page.read_text(encoding="utf-8")
    # The chosen path, each step's scored candidates, and the final-vs-bicubic crops are on the page.
    assert "chosen path" in text and "denoising" in text and "score " in text
    assert (out / "img" / "crop_final.png").is_file() and (out / "img" / "crop_bicubic.png").is_file()
    assert (out / "final.png").is_file()
    printed = capsys.readouterr().out
    assert "plan: denoising → super-resolution" in printed and "output 256×256" in printed
