"""goalgraph's light span start against the OpenTelemetry SDK's own: same exported spans, same SDK behaviour."""

from __future__ import annotations

import json
from typing import Any

import pytest
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanLimits, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace import Span as SdkSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, DEFAULT_ON
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags, TraceState
from opentelemetry.trace.status import StatusCode

from goalgraph import traces
from goalgraph.traces._light import LightSpan, PreparedAttributes, matches_sdk, start
from goalgraph.traces._spans import span_attributes


class Recorder(SpanProcessor):
    """Keeps what each hook saw: the span and its attributes at that moment."""

    def __init__(self) -> None:
        self.started: list[tuple[str, dict[str, Any]]] = []
        self.ending: list[Any] = []
        self.ended: list[Any] = []

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        self.started.append((span.name, dict(span.attributes)))

    def _on_ending(self, span: Any) -> None:
        self.ending.append(span)

    def on_end(self, span: ReadableSpan) -> None:
        self.ended.append(span)


def _provider(**kwargs: Any) -> tuple[TracerProvider, InMemorySpanExporter, Recorder]:
    provider = TracerProvider(**kwargs)
    exporter, recorder = InMemorySpanExporter(), Recorder()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    provider.add_span_processor(recorder)
    return provider, exporter, recorder


def _exercise(span: Any) -> None:
    """Every SDK span method an instrumentation might call, in one sequence."""
    span.set_attribute("extra", 3)
    span.set_attributes({"tags": ["a", "b"], "ok": True})
    span.add_event("checkpoint", {"step": 1})
    span.add_link(SpanContext(7, 9, is_remote=True, trace_flags=TraceFlags(1)), {"why": "retry"})
    span.update_name(span.name + " (renamed)")
    span.record_exception(ValueError("boom"))
    span.set_status(StatusCode.ERROR, "it failed")


def _comparable(span: ReadableSpan) -> dict[str, Any]:
    data = json.loads(span.to_json())
    for key in ("start_time", "end_time"):
        assert data.pop(key)
    data["context"].pop("span_id")
    data["context"].pop("trace_id")
    data.pop("parent_id")  # checked as a tree above
    for event in data["events"]:
        event.pop("timestamp")
        event["attributes"].pop("exception.stacktrace", None)
    return data


def _run(provider: TracerProvider, light: bool) -> None:
    tracer = provider.get_tracer("goalgraph")
    attributes = span_attributes(traces.SpanKind.CHAIN, {"graph.node.id": "step", "n": 2, "state": {"a": 1}})
    with tracer.start_as_current_span("root"):
        if light:
            span, token = start(tracer, "step", attributes)
            assert isinstance(span, LightSpan)
        else:
            span = tracer.start_span("step", attributes=attributes)
            token = otel_context.attach(trace.set_span_in_context(span))
        with tracer.start_as_current_span("child"):
            pass
        _exercise(span)
        otel_context.detach(token)
        span.end()
        span.end()  # a second end changes nothing
        span.set_attribute("after", "end")  # refused, as by the SDK


def test_light_span_exports_what_the_sdk_span_exports() -> None:
    assert matches_sdk()  # the installed SDK's span has no field a LightSpan lacks
    results = {}
    for light in (False, True):
        provider, exporter, recorder = _provider()
        _run(provider, light)
        spans = {s.name: s for s in exporter.get_finished_spans()}
        step = spans["step (renamed)"]
        # tree: root → step → child, one trace
        assert step.parent.span_id == spans["root"].context.span_id
        assert spans["child"].parent.span_id == step.context.span_id
        assert {s.context.trace_id for s in spans.values()} == {spans["root"].context.trace_id}
        # processors saw the start attributes at on_start, and every span at _on_ending and on_end
        started = dict(recorder.started)
        assert started["step"]["graph.node.id"] == "step" and started["step"]["n"] == 2
        assert len(recorder.ending) == len(recorder.ended) == 3
        assert step.dropped_attributes == step.dropped_events == step.dropped_links == 0
        results[light] = _comparable(step)
    assert results[True] == results[False]


def test_light_span_is_an_sdk_span_handed_to_processors_ended() -> None:
    provider, exporter, recorder = _provider()
    tracer = provider.get_tracer("goalgraph")
    span, token = start(tracer, "step", PreparedAttributes({"k": "v"}))
    otel_context.detach(token)
    assert isinstance(span, SdkSpan) and isinstance(span, ReadableSpan)
    assert span.is_recording() and trace.get_current_span() is not span
    span.end()
    assert not span.is_recording() and recorder.ended == [span]
    with pytest.raises(TypeError):  # frozen at end, like the SDK's copy
        span._attributes["k"] = "changed"
    assert exporter.get_finished_spans()[0].attributes == {"k": "v"}


def test_limits_apply_to_light_spans() -> None:
    limits = SpanLimits(max_span_attributes=3, max_span_attribute_length=5, max_events=1)
    provider, exporter, _ = _provider(span_limits=limits)
    tracer = provider.get_tracer("goalgraph")
    # longer than the provider allows: cleaned and bounded by the SDK, not taken as prepared
    span, token = start(tracer, "s", PreparedAttributes({"a": "x" * 20, "b": 1, "c": 2, "d": 3}))
    span.set_valid_attributes({"out": "y" * 10}, 10)
    span.add_event("one")
    span.add_event("two")
    otel_context.detach(token)
    span.end()
    exported = exporter.get_finished_spans()[0]
    assert len(exported.attributes) == 3 and exported.dropped_attributes == 2
    assert exported.attributes["out"] == "yyyyy"
    assert [e.name for e in exported.events] == ["two"] and exported.dropped_events == 1


def test_other_samplers_and_unsampled_parents_take_the_sdk_path() -> None:
    provider, exporter, _ = _provider(sampler=ALWAYS_OFF)
    span, token = start(provider.get_tracer("goalgraph"), "s", PreparedAttributes({}))
    otel_context.detach(token)
    assert isinstance(span, NonRecordingSpan)

    provider, exporter, _ = _provider()
    assert provider.sampler is DEFAULT_ON
    tracer = provider.get_tracer("goalgraph")
    state = TraceState([("vendor", "x")])
    for flags in (TraceFlags(0), TraceFlags(TraceFlags.RANDOM_TRACE_ID)):
        remote = NonRecordingSpan(SpanContext(5, 6, is_remote=True, trace_flags=flags, trace_state=state))
        with trace.use_span(remote):
            light, token = start(tracer, "light", PreparedAttributes({}))
            otel_context.detach(token)
            sdk = tracer.start_span("sdk")
        assert not light.is_recording() and not sdk.is_recording()
        assert light.get_span_context().trace_flags == sdk.get_span_context().trace_flags
        assert light.get_span_context().trace_state == state == sdk.get_span_context().trace_state
    sampled = NonRecordingSpan(
        SpanContext(5, 6, is_remote=True, trace_flags=TraceFlags(TraceFlags.SAMPLED), trace_state=state)
    )
    with trace.use_span(sampled):
        light, token = start(tracer, "light", PreparedAttributes({}))
        otel_context.detach(token)
        sdk = tracer.start_span("sdk")
    light.end()
    sdk.end()
    exported = {s.name: s for s in exporter.get_finished_spans()}
    for name in ("light", "sdk"):
        assert exported[name].context.trace_id == 5 and exported[name].parent.span_id == 6
        assert exported[name].context.trace_flags == sdk.get_span_context().trace_flags
        assert exported[name].context.trace_state == state


def test_goalgraph_spans_use_the_light_start(memory_exporter: InMemorySpanExporter) -> None:
    with traces.agent_run("a", input={"q": 1}) as run:
        with traces.start_span("t", kind=traces.SpanKind.TOOL, input="x") as tool:
            traces.set_output(tool, {"y": 2})
        traces.set_output(run, "done")
    assert isinstance(run, LightSpan) and isinstance(tool, LightSpan)
    spans = {s.name: s for s in memory_exporter.get_finished_spans()}
    assert spans["t"].attributes["output.value"] == '{"y":2}'
    assert spans["t"].attributes["openinference.span.kind"] == "TOOL"
    assert spans["invoke_agent a"].attributes["input.value"] == '{"q":1}'


def test_an_sdk_whose_spans_have_other_fields_gets_its_own_spans(monkeypatch: pytest.MonkeyPatch) -> None:
    from goalgraph.traces import _light

    monkeypatch.setattr(_light, "matches_sdk", lambda: False)
    provider, exporter, _ = _provider()
    span, token = start(
        provider.get_tracer("goalgraph"), "s", PreparedAttributes({"k": "v"}), {"input.value": "x"}
    )
    otel_context.detach(token)
    span.end()
    assert isinstance(span, SdkSpan) and not isinstance(span, LightSpan)
    assert exporter.get_finished_spans()[0].attributes == {"k": "v", "input.value": "x"}
