"""The Memory-T1 demo answers temporal questions about a LoCoMo conversation (or its built-in dialogue)."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "memory_t1_demo.py"


def test_demo_on_locomo(shared_data: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    rows = runpy.run_path(str(EXAMPLE))["main"](["--model", "none"])
    by_task = {r["question"].split()[0]: r for r in rows}
    assert by_task["When"]["answer"].answer == "May 7, 2023"  # "yesterday", said on 8 May 2023
    assert by_task["For"]["answer"].answer == "B"
    windowed = [r for r in rows if not r["window"].is_open]
    assert windowed and all(len(r["candidates"]) < 19 for r in windowed)  # the filter kept fewer sessions
    # the planner's steps: no model, so the answer comes from the evidence after the time filter
    assert all(
        r["steps"][0] == "parse_time_window" and r["steps"][-1] == "answer_from_evidence" for r in rows
    )
    printed = capsys.readouterr().out
    assert "LoCoMo" in printed and "plan (4 questions)" in printed


def test_demo_without_shared_data(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("GOALGRAPH_SHARED_DATA", str(tmp_path))
    rows = runpy.run_path(str(EXAMPLE))["main"](["--model", "none"])
    assert rows[0]["answer"].answer == "May 7, 2023" and rows[1]["answer"].answer == "B"
    assert rows[2]["candidates"] == ("session_2",)
    assert os.environ["GOALGRAPH_SHARED_DATA"] == str(tmp_path)
