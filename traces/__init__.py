"""OpenTelemetry tracing for goalgraph.

    from goalgraph import traces
    traces.setup(".goalgraph/traces.db")          # spans of every agent, tool and LLM call go to SQLite
    with traces.start_span("my step", kind=traces.SpanKind.CHAIN): ...
"""

from ._spans import SpanKind, record_error, set_input, set_output, start_span, to_json

__all__ = ["SpanKind", "record_error", "set_input", "set_output", "start_span", "to_json"]
