"""Tool faults: a tool that raises, hangs, returns the wrong type or a huge output is contained and traced."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.models.test import TestModel

from goalgraph import traces
from goalgraph.tools import ToolError, ToolOutputError, ToolTimeoutError, tool


class Query(BaseModel):
    text: str


class Page(BaseModel):
    body: str


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    traces.setup(path=None, processors=[SimpleSpanProcessor(exporter)])
    yield exporter
    traces.shutdown()


def _tool_span(exporter: InMemorySpanExporter, name: str) -> ReadableSpan:
    return next(s for s in exporter.get_finished_spans() if s.name == f"execute_tool {name}")


@tool
def raises(query: Query) -> Page:
    """A tool whose backend is down."""
    raise ConnectionError("backend down")


@tool(timeout=0.3)
def hangs(query: Query) -> Page:
    """A tool that never answers."""
    time.sleep(30)
    return Page(body="")


@tool
def wrong_type(query: Query) -> Page:
    """A tool that returns something else than it promises."""
    return {"text": 42}  # type: ignore[return-value]


@tool
def huge(query: Query) -> Page:
    """A tool that returns a 20 MB page."""
    return Page(body="x" * 20_000_000)


@pytest.mark.parametrize(
    ("faulty", "error_type", "message"),
    [
        (raises, ToolError, "backend down"),
        (hangs, ToolTimeoutError, "did not finish within"),
        (wrong_type, ToolOutputError, "body"),
    ],
)
def test_fault_is_a_typed_error_and_an_error_span(
    spans: InMemorySpanExporter, faulty: object, error_type: type[ToolError], message: str
) -> None:
    started = time.perf_counter()
    with pytest.raises(error_type, match=message):
        faulty.call({"text": "q"})  # type: ignore[attr-defined]
    assert time.perf_counter() - started < 5
    span = _tool_span(spans, faulty.name)  # type: ignore[attr-defined]
    assert span.status.status_code is StatusCode.ERROR
    assert any(event.name == "exception" for event in span.events)


def test_huge_output_is_returned_whole_but_traced_bounded(spans: InMemorySpanExporter) -> None:
    page = huge.call({"text": "q"})
    assert len(page.body) == 20_000_000
    span = _tool_span(spans, "huge")
    recorded = str(span.attributes.get("output.value"))  # type: ignore[union-attr]
    assert 0 < len(recorded) < 100_000
    assert "truncated" in recorded


def test_agent_keeps_running_when_its_tool_fails(spans: InMemorySpanExporter) -> None:
    agent = Agent(TestModel(), tools=[raises.as_pydantic_ai(), hangs.as_pydantic_ai()])
    result = agent.run_sync("search")
    assert "backend down" in result.output and "did not finish" in result.output
    assert _tool_span(spans, "raises").status.status_code is StatusCode.ERROR
