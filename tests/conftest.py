"""Fixtures shared by every test package."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared benchmark data directory (GOALGRAPH_SHARED_DATA, default ../shared/data); skips if absent."""
    path = Path(os.environ.get("GOALGRAPH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set GOALGRAPH_SHARED_DATA)")
    return path


def load_script(relative: str) -> ModuleType:
    """A repository script (``benchmarks/…``, ``examples/…``) loaded as a module named after its file.

    The module is registered in ``sys.modules`` first: dataclasses defined in it look their module up there.
    """
    path = REPO_ROOT / relative
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None, f"cannot load {path}"
    module = importlib.util.module_from_spec(spec)
    sys.modules[path.stem] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def script() -> object:
    """`load_script`: ``script("benchmarks/publish.py")`` loads a repository script as a module."""
    return load_script


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def llm_server_url() -> Iterator[str]:
    """`goalgraph llm serve` on a free loopback port (the real embedded model), started once per session."""
    import subprocess
    import sys
    import time

    import httpx

    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "goalgraph.cli", "llm", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 300
    try:
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode() if process.stdout else ""
                pytest.fail(f"goalgraph llm serve exited: {output}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                pytest.fail("goalgraph llm serve did not start within 300 s")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextlib.contextmanager
def running_viewer(db: Path, token: str | None = None) -> Iterator[str]:
    """The trace viewer on `db`, served by a real uvicorn on a free loopback port; yields its URL."""
    import threading
    import time

    import uvicorn

    from goalgraph.traces.viewer import create_app

    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(db, token=token), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.05)
    assert server.started, "viewer did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def serve_viewer() -> object:
    """`running_viewer`: ``with serve_viewer(db) as url: ...`` serves the trace viewer on `db`."""
    return running_viewer


def open_run_diff(page: Any, url: str, first: int, second: int) -> None:
    """In the viewer at `url`, tick the run-list rows `first` and `second` and open their diff."""
    page.goto(url + "/")
    page.wait_for_selector("#runs tbody tr")
    boxes = page.locator("#runs tbody input[type=checkbox]")
    boxes.nth(first).check()
    boxes.nth(second).check()
    page.click("#diffbox a")
    page.wait_for_selector("table.diff")


@pytest.fixture
def run_diff() -> object:
    """`open_run_diff`: ``run_diff(page, url, 0, 1)`` opens the viewer's diff of two listed runs."""
    return open_run_diff


@pytest.fixture
def chromium() -> Iterator[object]:
    """Headless Debian Chromium driven by Playwright (skips when `make browser` has not installed it)."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
