"""Interop: goalgraph's spans, sent over OTLP/HTTP, arrive in a real Arize Phoenix server with their kinds."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from goalgraph import traces

pytestmark = pytest.mark.phoenix


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _phoenix() -> str:
    exe = Path(sys.executable).parent / "phoenix"
    if exe.is_file():
        return str(exe)
    found = shutil.which("phoenix")
    if found is None:
        pytest.skip("arize-phoenix is not installed (pip install goalgraph[phoenix])")
    return found


def test_spans_arrive_in_phoenix_with_kinds(tmp_path, agent_runner):
    port, grpc_port = _free_port(), _free_port()
    env = {
        **os.environ,
        "PHOENIX_PORT": str(port),
        "PHOENIX_GRPC_PORT": str(grpc_port),
        "PHOENIX_HOST": "127.0.0.1",
        "PHOENIX_WORKING_DIR": str(tmp_path / "phoenix"),
        "PHOENIX_ALLOW_EXTERNAL_RESOURCES": "false",
        "PHOENIX_TELEMETRY_ENABLED": "false",
    }
    env.pop("OTEL_EXPORTER_OTLP_ENDPOINT", None)
    log = (tmp_path / "phoenix.log").open("w")
    process = subprocess.Popen([_phoenix(), "serve"], env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            assert process.poll() is None, (tmp_path / "phoenix.log").read_text()[-3000:]
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("phoenix did not come up within 120 s")
        traces.setup(tmp_path / "t.db", otlp_endpoint=base)
        try:
            agent_runner("What is the capital of France?")
            traces.force_flush()
        finally:
            traces.shutdown()
        kinds: set[str] = set()
        names: set[str] = set()
        deadline = time.time() + 60
        while time.time() < deadline and not {"AGENT", "LLM", "TOOL", "CHAIN"} <= kinds:
            time.sleep(0.5)
            reply = httpx.get(base + "/v1/projects/default/spans", params={"limit": 100}, timeout=10)
            if reply.status_code == 200:
                spans = reply.json()["data"]
                kinds = {s["span_kind"] for s in spans}
                names = {s["name"] for s in spans}
        assert {"AGENT", "LLM", "TOOL", "CHAIN"} <= kinds, (kinds, names)
        assert {"invoke_agent qa", "think", "execute_tool search"} <= names
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
