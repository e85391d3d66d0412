"""The `openai:` backend against `goalgraph llm serve`, started here: a real HTTP round trip, a real model."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import httpx
import pytest
from pydantic import BaseModel, Field
from pydantic_ai import Agent

from goalgraph.llm import model
from goalgraph.tools import tool


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "goalgraph.cli", "llm", "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 240
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"server exited: {process.stdout.read().decode() if process.stdout else ''}")
            try:
                if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.time() > deadline:
                pytest.fail("goalgraph llm serve did not start within 240 s")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


class Capital(BaseModel):
    city: str = Field(max_length=30)
    country: str = Field(max_length=30)


def test_models_route(server_url: str) -> None:
    body = httpx.get(f"{server_url}/models").json()
    assert body["data"][0]["id"] == "local"


def test_typed_output_over_http(server_url: str) -> None:
    agent = Agent(model(f"openai:local@{server_url}"), output_type=Capital)
    result = agent.run_sync("What is the capital of Italy?", model_settings={"max_tokens": 48})
    assert isinstance(result.output, Capital)


def test_tool_call_over_http(server_url: str) -> None:
    seen: list[str] = []

    @tool
    def weather(city: str) -> str:
        """Today's weather in a city."""
        seen.append(city)
        return "sunny"

    class Report(BaseModel):
        summary: str = Field(max_length=60)

    agent = Agent(
        model(f"openai:local@{server_url}"),
        output_type=Report,
        tools=[weather.as_pydantic_ai()],
        system_prompt="Call the weather tool for the city first, then report.",
    )
    result = agent.run_sync("How is the weather in Rome?", model_settings={"max_tokens": 48})
    assert seen and all(isinstance(c, str) for c in seen)
    assert isinstance(result.output, Report)


def test_bad_requests_get_clear_errors(server_url: str) -> None:
    response = httpx.post(f"{server_url}/chat/completions", content=b"{not json")
    assert response.status_code == 400 and "not JSON" in response.json()["error"]["message"]
    response = httpx.post(f"{server_url}/chat/completions", json={"model": "local"})
    assert response.status_code == 400 and "messages" in response.json()["error"]["message"]
