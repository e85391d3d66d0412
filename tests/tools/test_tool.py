"""The typed Tool: schemas, GOAP defaults, validation, failures, timeouts, pydantic-ai and LangGraph forms."""

from __future__ import annotations

import asyncio
import time
from typing import TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.models.test import TestModel

from goalgraph.tools import (
    Tool,
    ToolError,
    ToolInputError,
    ToolOutputError,
    ToolTimeoutError,
    tool,
    type_condition,
)


class Question(BaseModel):
    text: str


class Documents(BaseModel):
    items: list[str]


@tool(cost=2.5, produces={"searched"})
def search(question: Question) -> Documents:
    """Find documents about a question."""
    return Documents(items=[f"doc about {question.text}"])


@tool
async def convert(value: float, unit: str = "km") -> float:
    """Convert a distance to metres.

    Args:
        value: the distance.
        unit: its unit, km or m.
    """
    return value * (1000 if unit == "km" else 1)


def test_model_input_tool_has_type_conditions_and_metadata() -> None:
    assert isinstance(search, Tool)
    assert search.name == "search"
    assert search.description == "Find documents about a question."
    assert search.input_type is Question
    assert search.preconditions == {type_condition(Question)} == {"has:Question"}
    assert search.effects == {"has:Documents", "searched"}
    assert search.cost_in({}) == 2.5


def test_function_parameters_become_an_input_model_with_documented_fields() -> None:
    schema = convert.input_type.model_json_schema()
    assert schema["required"] == ["value"]
    assert schema["properties"]["value"]["description"] == "the distance."
    assert schema["properties"]["unit"]["default"] == "km"
    assert convert.preconditions == frozenset()  # primitives are not blackboard objects
    assert convert.effects == frozenset()


def test_calls_sync_and_async_from_mapping_or_model() -> None:
    assert search.call({"text": "cats"}) == Documents(items=["doc about cats"])
    assert search.call(Question(text="dogs")).items == ["doc about dogs"]
    assert convert.call({"value": 2}) == 2000.0
    assert asyncio.run(convert.acall({"value": 3, "unit": "m"})) == 3.0


def test_call_inside_running_loop() -> None:
    async def main() -> Documents:
        return search.call({"text": "x"})

    assert asyncio.run(main()).items == ["doc about x"]


def test_wrong_types_name_the_field() -> None:
    with pytest.raises(ToolInputError) as info:
        convert.call({"value": "far"})
    assert info.value.tool == "convert"
    assert "value" in info.value.reason
    with pytest.raises(ToolInputError, match="unit"):
        convert.call({"value": 1, "unit": 5})
    with pytest.raises(ToolInputError, match="Question"):
        search.call(42)  # type: ignore[arg-type]


def test_raising_tool_becomes_tool_error_with_cause() -> None:
    @tool
    def broken(question: Question) -> Documents:
        """Always fails."""
        raise RuntimeError("index offline")

    with pytest.raises(ToolError) as info:
        broken.call({"text": "q"})
    assert info.value.kind == "exception"
    assert "index offline" in str(info.value)
    assert isinstance(info.value.cause, RuntimeError)


def test_wrong_output_type_is_an_output_error() -> None:
    @tool
    def liar(question: Question) -> Documents:
        """Returns the wrong type."""
        return "not documents"  # type: ignore[return-value]

    with pytest.raises(ToolOutputError, match="Documents"):
        liar.call({"text": "q"})


@pytest.mark.parametrize("asynchronous", [False, True])
def test_hanging_tool_times_out(asynchronous: bool) -> None:
    if asynchronous:

        async def slow(question: Question) -> Documents:
            await asyncio.sleep(10)
            return Documents(items=[])

    else:

        def slow(question: Question) -> Documents:  # type: ignore[misc]
            time.sleep(10)
            return Documents(items=[])

    hanging = tool(timeout=0.2)(slow)
    started = time.perf_counter()
    with pytest.raises(ToolTimeoutError, match=r"0\.2 s"):
        hanging.call({"text": "q"})
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("timeout", [None, 5.0])
def test_a_timeout_inside_the_tool_is_its_failure_not_the_deadline(timeout: float | None) -> None:
    @tool(timeout=timeout)
    def remote(question: Question) -> Documents:
        """Its own client gives up (a model or socket timeout)."""
        raise TimeoutError("model server did not answer in 30 s")

    with pytest.raises(ToolError) as info:
        remote.call({"text": "q"})
    assert not isinstance(info.value, ToolTimeoutError)
    assert "did not answer" in str(info.value) and isinstance(info.value.cause, TimeoutError)


def test_decorator_rejects_untyped_functions() -> None:
    def no_return(x: int):  # type: ignore[no-untyped-def]
        return x

    with pytest.raises(TypeError, match="return annotation"):
        tool(no_return)

    def untyped(x) -> int:  # type: ignore[no-untyped-def]
        return 1

    with pytest.raises(TypeError, match="type annotation"):
        tool(untyped)


def test_as_pydantic_ai_tool_is_called_by_an_agent() -> None:
    agent = Agent(TestModel(), tools=[search.as_pydantic_ai()])
    result = agent.run_sync("find cats")
    assert "doc about" in result.output


def test_as_pydantic_ai_turns_failures_into_text() -> None:
    @tool
    def broken(question: Question) -> Documents:
        """Always fails."""
        raise RuntimeError("index offline")

    agent = Agent(TestModel(), tools=[broken.as_pydantic_ai()])
    assert "index offline" in agent.run_sync("go").output


def test_as_langgraph_node() -> None:
    class State(TypedDict, total=False):
        question: Question
        documents: Documents
        errors: list[dict[str, str]]

    graph = StateGraph(State)
    graph.add_node("search", search.as_node())
    graph.add_edge(START, "search")
    graph.add_edge("search", END)
    out = graph.compile().invoke({"question": Question(text="owls")})
    assert out["documents"].items == ["doc about owls"]


def test_as_langgraph_node_records_errors_when_asked() -> None:
    @tool
    def broken(question: Question) -> Documents:
        """Always fails."""
        raise ValueError("nope")

    class State(TypedDict, total=False):
        question: Question
        errors: list[dict[str, str]]

    graph = StateGraph(State)
    graph.add_node("broken", broken.as_node(errors_key="errors"))
    graph.add_edge(START, "broken")
    graph.add_edge("broken", END)
    out = graph.compile().invoke({"question": Question(text="q")})
    assert out["errors"] == [{"tool": "broken", "kind": "exception", "reason": "ValueError: nope"}]
