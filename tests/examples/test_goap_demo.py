"""The GOAP demo runs end to end, replanning around the failed web search."""

from __future__ import annotations

import runpy
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "goap_demo.py"


def test_goap_demo_replans(capsys) -> None:  # type: ignore[no-untyped-def]
    module = runpy.run_path(str(EXAMPLE))
    result = module["main"]()
    plans = result.distinct_plans()
    assert plans[0].actions == ["write_queries", "web_search", "compose_answer"]
    assert plans[1].actions == ["local_search", "compose_answer"]
    out = capsys.readouterr().out
    assert "Plan 1" in out and "Plan 2" in out and "local index" in out
