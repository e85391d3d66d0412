"""`goalgraph eval rearag --model openai:...@URL` against `goalgraph llm serve` (started here; real model, real HTTP)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import typer
from typer.testing import CliRunner

from goalgraph.agents.rearag_cli import command

# One served 135M model answers every call of three systems in turn: minutes on a small shared CPU.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "goalgraph.cli", "llm", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 300
    try:
        while True:
            if process.poll() is not None:
                pytest.fail("goalgraph llm serve exited")
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


def test_same_command_against_an_openai_compatible_server(
    server_url: str, shared_data: Path, tmp_path: Path
) -> None:
    app = typer.Typer()
    app.command()(command)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app,
        [
            "--data",
            str(shared_data / "multihop" / "questions.jsonl"),
            "--setting",
            "distractor",
            "--limit",
            "1",
            "--model",
            f"openai:local@{server_url}",
            "--bm25-only",
            "--max-steps",
            "2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert set(document["summary"]) == {"rearag", "one_shot_rag", "closed_book"}
    episodes = {e["system"]: e for e in document["episodes"]}
    assert "error" not in episodes["rearag"], episodes["rearag"].get("error")
    assert episodes["rearag"]["status"] in {"finished", "max_steps", "invalid_action"}
    assert episodes["rearag"]["chain"], "the served model wrote no step"
