"""The embodied demo runs end to end with the embedded model: thoughts by the LLM, a reflection, success."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "embodied_demo.py"


@pytest.mark.slow
def test_embodied_demo_prints_the_trajectory_with_thoughts(capsys: pytest.CaptureFixture[str]) -> None:
    run = runpy.run_path(str(EXAMPLE))["main"]()
    out = capsys.readouterr().out
    assert "Planted fault" in out and "success=1" in out
    for pattern in ("[task planning]", "[self-reflection]", "[double verification]"):
        assert pattern in out
    # The embedded model wrote the plan, the reflection on the slipped pickup and the final check.
    assert {t.pattern for t in run.thoughts if t.by_llm} == {
        "task planning",
        "self-reflection",
        "double verification",
    }
    assert run.llm_calls == 3
