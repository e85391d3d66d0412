"""The typed-tools demo runs end to end on the real embedded model and returns its typed result."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "examples" / "typed_tools_demo.py"


def test_typed_tools_demo_returns_a_typed_answer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # the demo's trace database lands here, not in the repo
    spec = importlib.util.spec_from_file_location("typed_tools_demo", DEMO)
    assert spec is not None and spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    answer = demo.main()
    assert isinstance(answer, demo.Answer)
    printed = capsys.readouterr().out
    assert "miles_to_km" in printed and "typed result" in printed
