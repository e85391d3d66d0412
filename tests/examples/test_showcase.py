"""`make demo`'s showcase: every agent's demo runs on the embedded model into one trace store, and the
viewer opened on that store in headless Chromium lists one run per agent (what a new user sees)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
AGENTS = ["typed-tools", "goap", "fourk", "embodied", "rearag", "resum", "memory-t1"]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


@pytest.fixture(scope="module")
def showcase(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """Run the whole showcase once, as `make demo` does, in a scratch directory."""
    work = tmp_path_factory.mktemp("showcase")
    done = subprocess.run(
        [sys.executable, "-m", "goalgraph.cli", "demo", "showcase"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=2300,
        env={**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "200"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return work / ".goalgraph" / "traces.db", done.stdout


def test_one_result_line_per_agent_and_the_viewer_command(showcase: tuple[Path, str]) -> None:
    db, printed = showcase
    for agent in AGENTS:
        line = next((ln for ln in printed.splitlines() if f" {agent} " in f"{ln} "), None)
        assert line is not None and line.lstrip().startswith("ok"), f"{agent}: {line!r}\n{printed}"
    assert "goalgraph traces serve --db .goalgraph/traces.db" in printed
    assert db.is_file() and (db.parent / "showcase" / "fourk.log").is_file()


@pytest.mark.browser
def test_viewer_shows_one_run_per_agent(
    showcase: tuple[Path, str], serve_viewer, chromium, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    db, _ = showcase
    with serve_viewer(db) as url:
        page = chromium.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + "/")
        page.wait_for_selector("#runs tbody tr")
        listed = page.locator("#runs tbody tr").all_inner_texts()
        for agent in AGENTS:
            assert sum(f"demo {agent}" in row for row in listed) == 1, (agent, listed)
        page.locator("#runs tbody tr", has_text="demo rearag").click()
        page.wait_for_selector("#tree .row")
        assert page.locator("#tree .row", has_text="invoke_agent rearag").count() >= 1
        page.locator("#tree .row", has_text="chat ").first.click()
        page.wait_for_selector("#panel .chat .msg")
        shot = tmp_path / "viewer.png"
        page.screenshot(path=str(shot), full_page=False)
        assert shot.stat().st_size > 10_000
        if os.environ.get("GOALGRAPH_UPDATE_SCREENSHOTS"):  # the README's picture, only when asked
            shutil.copy(shot, REPO / "docs" / "img" / "viewer.png")
