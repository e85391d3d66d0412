"""The ReaRAG demo runs end to end on the embedded model and prints its Thought–Action–Observation chain."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import pytest

DEMO = Path(__file__).resolve().parents[2] / "examples" / "rearag_demo.py"


def _load(name: str, path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
@pytest.mark.timeout(1200)  # the real model on a shared 2-core CPU: minutes when other runs compete
def test_rearag_demo_prints_the_chain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    final = _load("rearag_demo", DEMO).main([])
    assert final["status"] in {"finished", "max_steps", "invalid_action"}
    searches = [s for s in final["chain"] if s["action"]["function"] == "search"]
    assert searches and all(s["observation"] for s in searches)  # the model searched, the engine answered
    printed = capsys.readouterr().out
    assert "ReaRAG chain" in printed and "search(" in printed and "Answer:" in printed
    assert final["answer"] and final["answer"] in printed
