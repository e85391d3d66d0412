"""Model faults from an OpenAI-compatible server: each ends in a retry with feedback or a typed failure.

The server runs on loopback and answers with scripted faults; the client is the same pydantic-ai
OpenAI-compatible model the `openai:` backend uses.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openai import AsyncOpenAI
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from goalgraph.tools import tool

sys.path.insert(0, str(Path(__file__).parent))
from _fault_server import FaultServer, Reply, fault_server, tool_args


class City(BaseModel):
    name: str
    population: int


@tool
def lookup(name: str) -> City:
    """Look a city up."""
    return City(name=name, population=1000)


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with fault_server() as running:
        yield running


def _agent(server: FaultServer, *, http_retries: int = 0, timeout: float = 10.0) -> Agent[None, City]:
    client = AsyncOpenAI(base_url=server.url, api_key="test", max_retries=http_retries, timeout=timeout)
    model = OpenAIChatModel("fault", provider=OpenAIProvider(openai_client=client))
    return Agent(model, output_type=City, tools=[lookup.as_pydantic_ai()], retries=2)


def _feedback(server: FaultServer) -> str:
    """The text of the messages sent back to the model after the first request."""
    return " ".join(str(m.get("content")) for body in server.requests[1:] for m in body["messages"])


GOOD = Reply(tool_calls=[("final_result", tool_args(name="Oslo", population=700000))])


def test_invalid_json_arguments_are_retried_with_feedback(server: FaultServer) -> None:
    server.script(Reply(tool_calls=[("final_result", '{"name": "Oslo", "population": ')]), GOOD)
    assert _agent(server).run_sync("Oslo?").output == City(name="Oslo", population=700000)
    assert len(server.requests) == 2
    assert "json" in _feedback(server).lower() or "invalid" in _feedback(server).lower()


def test_unknown_tool_is_retried_with_feedback(server: FaultServer) -> None:
    server.script(Reply(tool_calls=[("teleport", tool_args(to="Mars"))]), GOOD)
    assert _agent(server).run_sync("Oslo?").output.name == "Oslo"
    assert "teleport" in _feedback(server)


def test_wrong_argument_types_are_retried_naming_the_field(server: FaultServer) -> None:
    server.script(Reply(tool_calls=[("lookup", tool_args(name=["not", "a", "string"]))]), GOOD)
    assert _agent(server).run_sync("Oslo?").output.name == "Oslo"
    assert "name" in _feedback(server)


def test_output_of_wrong_type_is_retried(server: FaultServer) -> None:
    server.script(Reply(tool_calls=[("final_result", tool_args(name="Oslo", population="many"))]), GOOD)
    assert _agent(server).run_sync("Oslo?").output.population == 700000
    assert "population" in _feedback(server)


def test_persistent_empty_replies_end_in_a_typed_failure(server: FaultServer) -> None:
    server.script(Reply(content=""))
    with pytest.raises(UnexpectedModelBehavior):
        _agent(server).run_sync("Oslo?")
    assert len(server.requests) <= 4  # bounded retries, no loop


def test_timeout_is_a_typed_failure_not_a_hang(server: FaultServer) -> None:
    server.script(Reply(delay=5.0, content="late"))
    started = time.perf_counter()
    with pytest.raises(ModelAPIError):
        _agent(server, timeout=0.5).run_sync("Oslo?")
    assert time.perf_counter() - started < 4


@pytest.mark.parametrize("status", [500, 429])
def test_http_errors_are_typed_failures(server: FaultServer, status: int) -> None:
    server.script(Reply(status=status))
    with pytest.raises(ModelHTTPError) as info:
        _agent(server).run_sync("Oslo?")
    assert info.value.status_code == status


@pytest.mark.parametrize("status", [500, 429])
def test_transient_http_errors_are_retried(server: FaultServer, status: int) -> None:
    server.script(Reply(status=status, headers={"retry-after": "0"}), GOOD)
    assert _agent(server, http_retries=2).run_sync("Oslo?").output.name == "Oslo"
    assert len(server.requests) == 2


def test_malformed_response_body_is_a_typed_failure(server: FaultServer) -> None:
    server.script(Reply(raw_body="{not json at all"))
    with pytest.raises((ModelAPIError, UnexpectedModelBehavior)):
        _agent(server).run_sync("Oslo?")
