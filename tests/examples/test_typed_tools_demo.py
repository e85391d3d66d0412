"""The typed-tools demo runs end to end on the real embedded model and returns its typed result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DEMO = "examples/typed_tools_demo.py"


def test_typed_tools_demo_returns_a_typed_answer(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    script: Any,
) -> None:
    monkeypatch.chdir(tmp_path)  # the demo's trace database lands here, not in the repo
    demo = script(DEMO)
    answer = demo.main()
    assert isinstance(answer, demo.Answer)
    printed = capsys.readouterr().out
    assert "miles_to_km" in printed and "typed result" in printed
