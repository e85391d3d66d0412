"""Model faults from an OpenAI-compatible server: each ends in a retry with feedback, a fallback or a
typed failure, never a hang or a traceback out of the agent.

The server runs on loopback and answers with scripted faults; the client is the same pydantic-ai
OpenAI-compatible model the `openai:` backend uses (and, further down, that backend itself, a
`FallbackModel`, and a GOAP plan whose LLM step fails).
"""

from __future__ import annotations

import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openai import AsyncOpenAI
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.exceptions import ModelAPIError, ModelHTTPError, UnexpectedModelBehavior
from pydantic_ai.models import Model
from pydantic_ai.models.fallback import FallbackModel
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.providers.openai import OpenAIProvider

from goalgraph import llm
from goalgraph.planners import Budget, Done, Stuck, build_executor, initial_state, outcome
from goalgraph.tools import Tool, tool

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


# -- the same faults through goalgraph's own `openai:` spec, a fallback model and a GOAP plan ------------


def _spec_model(server: FaultServer, name: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> Model:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    # A distinct model name per test: `model()` keeps one instance per spec string.
    return llm.model(f"openai:{name}@{server.url}")


def test_spec_model_times_out_instead_of_hanging(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script(Reply(delay=5.0, content="late"))
    slow = _spec_model(server, "timeout", monkeypatch, GOALGRAPH_LLM_TIMEOUT="0.4", GOALGRAPH_LLM_RETRIES="0")
    started = time.perf_counter()
    with pytest.raises(ModelAPIError):
        Agent(slow, output_type=City).run_sync("Oslo?")
    assert time.perf_counter() - started < 4


def test_spec_model_retries_rate_limits_then_answers(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script(Reply(status=429, headers={"retry-after": "0"}), Reply(status=503), GOOD)
    patient = _spec_model(server, "patient", monkeypatch, GOALGRAPH_LLM_RETRIES="2")
    assert Agent(patient, output_type=City).run_sync("Oslo?").output.name == "Oslo"
    assert len(server.requests) == 3


def test_spec_model_gives_up_after_bounded_retries(
    server: FaultServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    server.script(Reply(status=500, headers={"retry-after": "0"}))
    bounded = _spec_model(server, "bounded", monkeypatch, GOALGRAPH_LLM_RETRIES="1")
    with pytest.raises(ModelHTTPError) as info:
        Agent(bounded, output_type=City).run_sync("Oslo?")
    assert info.value.status_code == 500 and len(server.requests) == 2


def test_bad_timeout_setting_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOALGRAPH_LLM_TIMEOUT", "soon")
    with pytest.raises(ValueError, match="GOALGRAPH_LLM_TIMEOUT='soon'"):
        llm.model("openai:badenv@http://127.0.0.1:9/v1")


def test_unreachable_server_is_a_typed_failure() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = AsyncOpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="t", max_retries=0, timeout=2)
    agent = Agent(OpenAIChatModel("gone", provider=OpenAIProvider(openai_client=client)), output_type=City)
    with pytest.raises(ModelAPIError):
        agent.run_sync("Oslo?")


@pytest.mark.parametrize(
    "reply",
    [
        Reply(tool_calls=[("final_result", "{broken")]),
        Reply(tool_calls=[("teleport", tool_args(to="Mars"))]),
        Reply(tool_calls=[("final_result", tool_args(name="Oslo", population="many"))]),
    ],
    ids=["invalid-json", "unknown-tool", "wrong-type"],
)
def test_persistent_bad_output_ends_in_a_typed_failure(server: FaultServer, reply: Reply) -> None:
    server.script(reply)
    with pytest.raises(UnexpectedModelBehavior, match="retries"):
        _agent(server).run_sync("Oslo?")
    assert len(server.requests) <= 4  # output retries are bounded (retries=2)


def test_empty_choices_is_a_typed_failure(server: FaultServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # Plain pydantic-ai 2.68 raises a bare IndexError here (pydantic/pydantic-ai#7909); the `openai:`
    # backend guards it.
    server.script(
        Reply(raw_body='{"id": "x", "object": "chat.completion", "created": 0, "model": "m", "choices": []}')
    )
    empty = _spec_model(server, "empty", monkeypatch, GOALGRAPH_LLM_RETRIES="0")
    with pytest.raises(UnexpectedModelBehavior, match="no choices"):
        Agent(empty, output_type=City).run_sync("Oslo?")


def test_fallback_model_answers_when_the_server_fails(server: FaultServer) -> None:
    server.script(Reply(status=500))
    client = AsyncOpenAI(base_url=server.url, api_key="t", max_retries=0, timeout=5)
    primary = OpenAIChatModel("primary", provider=OpenAIProvider(openai_client=client))
    backup = llm.scripted([{"name": "Oslo", "population": 1}])
    result = Agent(FallbackModel(primary, backup), output_type=City).run_sync("Oslo?")
    assert result.output.name == "Oslo" and len(server.requests) == 1


class Question(BaseModel):
    text: str


class Answer(BaseModel):
    text: str


def _llm_tools(server: FaultServer) -> tuple[Tool[Any, Any], Tool[Any, Any]]:
    client = AsyncOpenAI(base_url=server.url, api_key="t", max_retries=0, timeout=5)
    writer = Agent(OpenAIChatModel("writer", provider=OpenAIProvider(openai_client=client)), output_type=str)

    @tool(cost=1)
    async def ask_model(question: Question) -> Answer:
        """Answer with the model."""
        return Answer(text=(await writer.run(question.text)).output)

    @tool(cost=5)
    def look_up(question: Question) -> Answer:
        """Answer from a fixed table (no model)."""
        return Answer(text="from the table")

    return ask_model, look_up


def test_plan_falls_back_to_another_tool_when_the_model_fails(server: FaultServer) -> None:
    server.script(Reply(status=500))
    ask_model, look_up = _llm_tools(server)
    result = outcome(build_executor([ask_model, look_up], Answer).invoke(initial_state(Question(text="q"))))
    assert isinstance(result, Done) and result.get(Answer) == Answer(text="from the table")
    failed = [e for e in result.events if e.status == "failed"]
    assert failed and failed[0].action == "ask_model" and "500" in failed[0].reason


def test_plan_stops_stuck_when_only_the_failing_model_can_act(server: FaultServer) -> None:
    server.script(Reply(status=429))
    ask_model, _ = _llm_tools(server)
    graph = build_executor([ask_model], Answer, budget=Budget(max_attempts=2))
    result = outcome(graph.invoke(initial_state(Question(text="q"))))
    assert isinstance(result, Stuck)
    assert [e.status for e in result.events] == ["failed", "failed"]
    assert "429" in result.events[0].reason
