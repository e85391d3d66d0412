"""Tool faults: a tool that raises, hangs, returns the wrong type or a huge output is contained and traced,
and the GOAP executor (or a plain LangGraph graph) goes on with another tool or stops cleanly (`Stuck`)."""

from __future__ import annotations

import asyncio
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypedDict

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import StatusCode
from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.models.test import TestModel

from goalgraph import traces
from goalgraph.planners import Budget, Done, Stuck, build_executor, initial_state, outcome
from goalgraph.tools import Tool, ToolError, ToolOutputError, ToolTimeoutError, tool

RELEASE = threading.Event()  # set at teardown, so the "hanging" tool's thread ends with the tests


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
    """A tool that never answers (until the tests end)."""
    RELEASE.wait(120)
    return Page(body="")


@pytest.fixture(scope="module", autouse=True)
def _release_hanging_threads() -> Iterator[None]:
    yield
    RELEASE.set()


@tool(timeout=0.3)
async def hangs_async(query: Query) -> Page:
    """An async tool that awaits forever."""
    await asyncio.sleep(3600)
    return Page(body="")


@tool
def exits(query: Query) -> Page:
    """A tool whose library calls sys.exit()."""
    sys.exit(3)


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
        (hangs_async, ToolTimeoutError, "did not finish within"),
        (exits, ToolError, "SystemExit: 3"),
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


# -- the same faults inside a plan: contained, recorded in the SQLite trace store, and the run goes on ----


class Summary(BaseModel):
    text: str


@tool(cost=10)
def fetch_cached(query: Query) -> Page:
    """A slower but working way to get the page."""
    return Page(body=f"cached page for {query.text}")


@tool
def summarize(page: Page) -> Summary:
    """Summarize a page (its length, so a huge page is cheap to summarize)."""
    return Summary(text=f"{len(page.body)} characters")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Path]:
    db = tmp_path / "traces.db"
    traces.setup(db, settings=traces.TraceSettings(batch_delay_ms=50))
    yield db
    traces.shutdown()


def _stored_spans(db: Path) -> list[dict[str, Any]]:
    traces.force_flush()
    trace_store = traces.TraceStore(db, create=False)
    try:
        return [span for trace_id in trace_store.trace_ids() for span in trace_store.spans(trace_id)]
    finally:
        trace_store.close()


@pytest.mark.parametrize(
    ("faulty", "kind"), [(raises, "exception"), (hangs, "timeout"), (wrong_type, "output")]
)
def test_plan_contains_the_fault_and_takes_the_other_tool(
    store: Path, faulty: Tool[Any, Any], kind: str
) -> None:
    started = time.perf_counter()
    result = outcome(
        build_executor([faulty, fetch_cached, summarize], Summary).invoke(initial_state(Query(text="q")))
    )
    assert time.perf_counter() - started < 10
    assert isinstance(result, Done) and result.get(Summary) == Summary(text="17 characters")
    assert [(e.action, e.status) for e in result.events] == [
        (faulty.name, "failed"),
        ("fetch_cached", "ok"),
        ("summarize", "ok"),
    ]
    assert result.events[0].reason.startswith(kind + ":")
    spans = {s["name"]: s for s in _stored_spans(store)}
    assert spans[f"execute_tool {faulty.name}"]["status"] == "ERROR"
    assert spans[f"act {faulty.name}"]["attributes"]["goalgraph.outcome"] == "failed"
    assert spans["execute_tool summarize"]["status"] != "ERROR"


def test_plan_stops_stuck_when_every_tool_fails(store: Path) -> None:
    graph = build_executor([raises, hangs, wrong_type, summarize], Summary, budget=Budget(max_attempts=1))
    started = time.perf_counter()
    result = outcome(graph.invoke(initial_state(Query(text="q"))))
    assert time.perf_counter() - started < 10
    assert isinstance(result, Stuck) and result.reason == "no_plan"
    assert sorted(e.action for e in result.events) == ["hangs", "raises", "wrong_type"]
    assert all(e.status == "failed" for e in result.events)
    errors = [
        s for s in _stored_spans(store) if s["name"].startswith("execute_tool") and s["status"] == "ERROR"
    ]
    assert len(errors) == 3


def test_huge_output_flows_through_the_plan_and_the_store_stays_bounded(store: Path) -> None:
    result = outcome(build_executor([huge, summarize], Summary).invoke(initial_state(Query(text="q"))))
    assert isinstance(result, Done) and result.get(Summary) == Summary(text="20000000 characters")
    stored = next(s for s in _stored_spans(store) if s["name"] == "execute_tool huge")
    assert len(str(stored["attributes"].get("output.value"))) < 100_000
    assert store.stat().st_size < 5_000_000  # the 20 MB page is not in the trace store


class GraphState(TypedDict, total=False):
    query: Query
    page: Page
    errors: list[dict[str, Any]]


@pytest.mark.parametrize("faulty", [raises, hangs, wrong_type])
def test_langgraph_node_records_the_failure_in_state(faulty: Tool[Any, Any]) -> None:
    from langgraph.graph import END, START, StateGraph

    builder = StateGraph(GraphState)
    builder.add_node("fetch", faulty.as_node(errors_key="errors"))
    builder.add_edge(START, "fetch")
    builder.add_edge("fetch", END)
    final = builder.compile().invoke({"query": Query(text="q")})
    assert "page" not in final
    assert final["errors"][0]["tool"] == faulty.name and final["errors"][0]["kind"] in (
        "exception",
        "timeout",
        "output",
    )
