"""The span tree of a small LangGraph agent with a typed tool and a scripted pydantic-ai model."""

from __future__ import annotations

import json

from opentelemetry.trace import StatusCode

from goalgraph import traces


def _tree(exporter):
    spans = exporter.get_finished_spans()
    by_id = {s.context.span_id: s for s in spans}
    return spans, by_id


def test_agent_graph_span_tree(memory_exporter, agent_runner):
    agent_runner("What is the capital of France?")
    spans, by_id = _tree(memory_exporter)
    kinds = {s.name: s.attributes["openinference.span.kind"] for s in spans}
    assert kinds["invoke_agent qa"] == "AGENT"
    assert kinds["think"] == "CHAIN" and kinds["act"] == "CHAIN"
    assert kinds["invoke_agent answerer"] == "AGENT"
    assert kinds["chat function:scripted:"] == "LLM"
    assert kinds["execute_tool search"] == "TOOL"

    def parent(span):
        return by_id[span.parent.span_id].name if span.parent else None

    named = {}
    for s in spans:
        named.setdefault(s.name, []).append(s)
    root = named["invoke_agent qa"][0]
    assert root.parent is None
    assert root.attributes["gen_ai.agent.name"] == "qa"
    assert json.loads(root.attributes["input.value"]) == {"question": "What is the capital of France?"}
    assert parent(named["think"][0]) == "invoke_agent qa"
    assert parent(named["act"][0]) == "invoke_agent qa"
    assert parent(named["invoke_agent answerer"][0]) == "think"
    assert all(parent(s) == "invoke_agent answerer" for s in named["chat function:scripted:"])
    tool_parents = sorted(parent(s) for s in named["execute_tool search"])
    # pydantic-ai's tool span wraps our typed tool's span; the plain call sits under the `act` node
    assert tool_parents == ["act", "execute_tool search", "invoke_agent answerer"]
    typed = [s for s in named["execute_tool search"] if "output.value" in s.attributes]
    assert json.loads(typed[0].attributes["gen_ai.tool.call.arguments"]) == {"text": "capital of France"}
    chats = named["chat function:scripted:"]
    assert any("gen_ai.input.messages" in s.attributes for s in chats)
    assert all(s.status.status_code is not StatusCode.ERROR for s in spans)


def test_tool_exception_is_error_span_and_run_records(memory_exporter, agent_runner):
    agent_runner("explode", fail_tool=True)
    spans, _ = _tree(memory_exporter)
    failed = [
        s for s in spans if s.name == "execute_tool search" and s.status.status_code is StatusCode.ERROR
    ]
    assert failed, "the failing tool call must be an error span"
    assert "search index is on fire" in failed[0].status.description
    assert any(e.name == "exception" for e in failed[0].events)
    root = next(s for s in spans if s.name == "invoke_agent qa")
    assert root.end_time is not None and "search index is on fire" in root.attributes["goalgraph.run.error"]


def test_capture_content_off_drops_content(tmp_path, agent_runner):
    db = tmp_path / "t.db"
    traces.setup(db, capture_content=False)
    try:
        agent_runner("secret question")
    finally:
        traces.shutdown()
    store = traces.TraceStore(db)
    spans = store.run("last")["spans"]
    assert spans and all("input.value" not in s["attributes"] for s in spans)
    assert all("gen_ai.input.messages" not in s["attributes"] for s in spans)
    assert all("gen_ai.tool.call.arguments" not in s["attributes"] for s in spans)


def test_setup_is_idempotent_and_limits_apply(tmp_path):
    settings = traces.TraceSettings(max_attributes=300, max_attribute_chars=100, max_attribute_length=200)
    first = traces.setup(tmp_path / "a.db", settings=settings)
    try:
        assert traces.setup(tmp_path / "a.db", settings=settings) is first
        with traces.start_span(
            "big", kind=traces.SpanKind.CHAIN, attributes={f"k{i}": i for i in range(250)}, input="x" * 1000
        ) as span:
            pass
        assert len(span.attributes) >= 250  # more than the SDK's default of 128
        assert "truncated" in span.attributes["input.value"] and len(span.attributes["input.value"]) < 200
    finally:
        traces.shutdown()


def test_spans_opened_inside_a_sync_tool_stay_in_its_trace(memory_exporter):
    from goalgraph.tools import tool

    @tool
    def lookup(query: str) -> str:
        """A sync tool (run on its own thread) whose work opens a span, as an LLM or memory call does."""
        with traces.start_span("inner work", kind=traces.SpanKind.RETRIEVER):
            return query.upper()

    with traces.agent_run("outer"):
        assert lookup.call({"query": "paris"}) == "PARIS"
    spans, by_id = _tree(memory_exporter)
    inner = next(s for s in spans if s.name == "inner work")
    root = next(s for s in spans if s.name == "invoke_agent outer")
    assert inner.context.trace_id == root.context.trace_id
    assert by_id[inner.parent.span_id].name == "execute_tool lookup"
