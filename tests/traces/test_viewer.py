"""The viewer: its JSON API over HTTP, and the page driven in headless Chromium."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from goalgraph.traces.viewer import create_app

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def viewer(filled_db, serve_viewer) -> Iterator[str]:
    """A real uvicorn server on a free loopback port, serving the filled store."""
    with serve_viewer(filled_db) as url:
        yield url


def test_api_runs_run_diff_and_images(viewer, filled_db):
    runs = httpx.get(viewer + "/api/runs").json()["runs"]
    assert len(runs) == 4
    assert httpx.get(viewer + "/api/runs", params={"q": "Italy"}).json()["runs"][0]["agent"] == "qa"
    qa = [r for r in runs if r["agent"] == "qa"]
    run = httpx.get(f"{viewer}/api/runs/{qa[0]['trace_id']}").json()
    assert {s["kind"] for s in run["spans"]} >= {"AGENT", "CHAIN", "LLM", "TOOL"}
    failing = next(r for r in runs if r["agent"] == "qa-failing")
    diff = httpx.get(viewer + "/api/diff", params={"a": qa[0]["trace_id"], "b": failing["trace_id"]}).json()
    assert {row["op"] for row in diff["steps"]} & {"changed", "added", "removed"}
    assert httpx.get(viewer + "/api/runs/ffffffff").status_code == 404
    page = httpx.get(viewer + "/")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    imager = httpx.get(f"{viewer}/api/runs/{runs[0]['trace_id']}").json()
    step = next(s for s in imager["spans"] if s["name"] == "upscale")
    ok = httpx.get(f"{viewer}/api/spans/{step['span_id']}/image", params={"key": "goalgraph.image.output"})
    assert ok.status_code == 200 and ok.headers["content-type"] == "image/png"
    # only images that spans reference, by span and key: no path can be asked for
    for key in ("../../etc/passwd", "input.value", "goalgraph.image.missing"):
        bad = httpx.get(f"{viewer}/api/spans/{step['span_id']}/image", params={"key": key})
        assert bad.status_code == 404
    assert httpx.get(f"{viewer}/api/spans/..%2F..%2Fetc%2Fpasswd/image").status_code == 404


def test_token_guards_every_route(filled_db):
    from starlette.testclient import TestClient

    client = TestClient(create_app(filled_db, token="s3cret-token-0123456789"))
    assert client.get("/api/runs").status_code == 401
    assert (
        client.get("/api/runs", headers={"x-goalgraph-token": "s3cret-token-0123456789"}).status_code == 200
    )


@pytest.mark.browser
def test_browser_list_search_run_span_messages_and_xss(viewer, chromium, run_diff, tmp_path):
    # CSP off in the test: the escaping itself (textContent only) must keep trace HTML inert;
    # the CSP header is checked separately as the second line of defence.
    page = chromium.new_page(viewport={"width": 1400, "height": 900}, bypass_csp=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(viewer + "/")
    page.wait_for_selector("#runs tbody tr")
    assert page.locator("#runs tbody tr").count() == 4
    page.screenshot(path=str(tmp_path / "run-list.png"))

    page.fill("#q", "Italy")
    page.click("#search button")
    page.wait_for_function("document.querySelectorAll('#runs tbody tr').length === 1")

    page.click("#runs tbody tr")
    page.wait_for_selector("#tree .row")
    assert page.locator("#tree .row").count() >= 8
    page.locator("#tree .row", has_text="chat function").last.click()
    page.wait_for_selector("#panel .chat .msg")
    chat = page.locator("#panel .chat").inner_text()
    assert "capital of France" in chat and "The answer is Paris." in chat
    # the model's and the tool's HTML is shown as text and never runs
    assert "<script>window.__pwned = 1</script>" in chat
    assert page.evaluate("window.__pwned === undefined")
    assert page.locator("#panel img[src=x]").count() == 0 and page.locator("#panel script").count() == 0
    page.locator("#tree .row", has_text="execute_tool search").last.click()
    page.wait_for_selector("#panel .toolresult")
    assert "onerror" in page.locator("#panel .toolresult").inner_text()
    shot = tmp_path / "viewer.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    if os.environ.get("GOALGRAPH_UPDATE_SCREENSHOTS"):  # tests write into the repository only when asked
        shutil.copy(shot, REPO / "docs" / "img" / "viewer.png")

    run_diff(page, viewer, 1, 2)
    page.wait_for_selector("table.diff tr.changed, table.diff tr.added, table.diff tr.removed")
    assert page.evaluate("window.__pwned === undefined") and dialogs == []
