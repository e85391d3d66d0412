"""The ReSum demo runs on the embedded model under a small budget, summarizes at least once, stays in budget."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

DEMO = "examples/resum_demo.py"


@pytest.mark.slow
@pytest.mark.timeout(1200)  # the real model on a shared 2-core CPU: minutes when other runs compete
def test_resum_demo_summarizes_and_prints_the_summary(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    script: Any,
) -> None:
    monkeypatch.chdir(tmp_path)
    final = script(DEMO).main(["--budget", "640"])
    assert final["summaries"], "the demo made no summary"
    assert final["peak_tokens"] <= 640
    assert final["answer"]
    printed = capsys.readouterr().out
    assert "summary after round" in printed and "Facts:" in printed
    assert f"peak context: {final['peak_tokens']} / 640" in printed
