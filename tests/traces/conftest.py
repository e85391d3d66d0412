"""Fixtures for the trace tests: a small real LangGraph agent with a typed tool and a scripted model."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph import traces
from goalgraph.tools import tool

XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2">'


class Query(BaseModel):
    """A search query."""

    text: str


class Passage(BaseModel):
    """A found passage."""

    text: str


@tool
def search(query: Query) -> Passage:
    """Find a passage for a query."""
    if "explode" in query.text:
        raise RuntimeError("search index is on fire")
    return Passage(text=f"Paris is the capital of France ({query.text}) {XSS}")


def scripted(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    """Call `search` once, then answer with text that contains HTML."""
    if len(messages) == 1:
        return ModelResponse(parts=[ToolCallPart("search", {"text": "capital of France"})])
    return ModelResponse(parts=[TextPart(f"The answer is Paris. {XSS}")])


class State(TypedDict, total=False):
    """Graph state."""

    question: str
    answer: str
    passage: str


def build_graph(fail_tool: bool = False) -> Any:
    """think (pydantic-ai agent with the tool) → act (the tool as a plain call) → END."""
    agent = Agent(FunctionModel(scripted), name="answerer", tools=[search.as_pydantic_ai()])

    async def think(state: State) -> State:
        result = await agent.run(state["question"])
        return {"answer": result.output}

    def act(state: State) -> State:
        text = "explode" if fail_tool else state["question"]
        return {"passage": search.call({"text": text}).text}

    builder = StateGraph(State)
    builder.add_node("think", traces.traced_node("think", think))
    builder.add_node("act", traces.traced_node("act", act))
    builder.add_edge(START, "think")
    builder.add_edge("think", "act")
    builder.add_edge("act", END)
    return builder.compile()


def run_agent(question: str, fail_tool: bool = False, name: str = "qa") -> None:
    """One traced agent run; a failing tool is recorded and swallowed, as an agent would."""
    graph = build_graph(fail_tool)
    with traces.agent_run(name, input={"question": question}) as span:
        try:
            out = asyncio.run(graph.ainvoke({"question": question}))
            traces.set_output(span, out)
        except Exception as error:  # the run goes on and records the failure
            span.set_attribute("goalgraph.run.error", str(error))


@pytest.fixture
def agent_runner() -> Any:
    """The `run_agent` helper: one traced run of the small agent."""
    return run_agent


@pytest.fixture
def memory_exporter() -> Iterator[InMemorySpanExporter]:
    """Tracing on, into memory only."""
    exporter = InMemorySpanExporter()
    traces.setup(path=None, processors=[SimpleSpanProcessor(exporter)])
    yield exporter
    traces.shutdown()


@pytest.fixture
def filled_db(tmp_path: Path) -> Iterator[Path]:
    """A trace store with three runs: two good ones (one with an image) and one whose tool fails."""
    db = tmp_path / "traces.db"
    traces.setup(db, settings=traces.TraceSettings(batch_delay_ms=50))
    run_agent("What is the capital of France?")
    run_agent("What is the capital of Italy?")
    run_agent("make it explode", fail_tool=True, name="qa-failing")
    image = tmp_path / "step.png"
    import numpy as np
    from PIL import Image

    Image.fromarray((np.arange(64 * 64 * 3) % 255).astype("uint8").reshape(64, 64, 3)).save(image)
    with traces.agent_run("imager") as span, traces.start_span("upscale", kind=traces.SpanKind.TOOL) as step:
        traces.set_image(step, "output", image)
        traces.set_output(span, "done")
    traces.shutdown()
    yield db
