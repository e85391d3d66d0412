"""The ReaRAG demo runs end to end on the embedded model and prints its Thought–Action–Observation chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DEMO = "examples/rearag_demo.py"


@pytest.mark.slow
@pytest.mark.timeout(1200)  # the real model on a shared 2-core CPU: minutes when other runs compete
def test_rearag_demo_prints_the_chain(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    script: Any,
) -> None:
    monkeypatch.chdir(tmp_path)
    final = script(DEMO).main([])
    assert final["status"] in {"finished", "max_steps", "invalid_action"}
    searches = [s for s in final["chain"] if s["action"]["function"] == "search"]
    assert searches and all(s["observation"] for s in searches)  # the model searched, the engine answered
    printed = capsys.readouterr().out
    assert "ReaRAG chain" in printed and "search(" in printed and "Answer:" in printed
    assert final["answer"] and final["answer"] in printed
