"""Span helpers shared by every goalgraph module: GenAI + OpenInference conventions in one place.

Works with or without `goalgraph.traces.setup()`: without it OpenTelemetry's global no-op tracer
makes every helper nearly free.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

from opentelemetry import trace
from opentelemetry.trace import Span, Status, StatusCode

__all__ = ["SpanKind", "record_error", "set_input", "set_output", "start_span", "to_json"]

_TRACER_NAME = "goalgraph"

#: Longest string (in characters) written into one attribute; longer values are cut with a marker.
#: `goalgraph.traces.setup()` replaces it with `TraceSettings.max_attribute_chars`.
MAX_ATTRIBUTE_CHARS = 16_000

# The tracer of the provider `setup()` installed. Held here rather than fetched from the global provider
# because the global one can only be set once per process (and may belong to someone else).
_tracer: trace.Tracer | None = None
# False when `setup(capture_content=False)`: inputs and outputs are then not recorded at all.
_capture_content = True


def _get_tracer() -> trace.Tracer:
    return _tracer if _tracer is not None else trace.get_tracer(_TRACER_NAME)


def _configure(tracer: trace.Tracer | None, max_attribute_chars: int) -> None:
    """Point every helper at `tracer` (None: the global provider's) and set the attribute bound."""
    global _tracer, MAX_ATTRIBUTE_CHARS
    _tracer = tracer
    MAX_ATTRIBUTE_CHARS = max_attribute_chars


class SpanKind(StrEnum):
    """OpenInference span kinds, understood by Phoenix and Langfuse."""

    AGENT = "AGENT"
    CHAIN = "CHAIN"
    TOOL = "TOOL"
    LLM = "LLM"
    RETRIEVER = "RETRIEVER"
    EMBEDDING = "EMBEDDING"


def to_json(value: Any, limit: int | None = None) -> str:
    """Serialise `value` (pydantic models included) to a JSON string bounded to `limit` characters."""
    limit = MAX_ATTRIBUTE_CHARS if limit is None else limit
    if hasattr(value, "model_dump_json"):
        text = value.model_dump_json()
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, default=_fallback, ensure_ascii=False)
        except (TypeError, ValueError):
            text = repr(value)
    if len(text) > limit:
        text = text[:limit] + f"…[truncated {len(text) - limit} chars]"
    return text


def _fallback(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return repr(value)


def set_input(span: Span, value: Any) -> None:
    """Record a step's input as `input.value` (JSON)."""
    if _capture_content and span.is_recording():
        span.set_attribute("input.value", to_json(value))
        span.set_attribute("input.mime_type", "application/json")


def set_output(span: Span, value: Any) -> None:
    """Record a step's output as `output.value` (JSON)."""
    if _capture_content and span.is_recording():
        span.set_attribute("output.value", to_json(value))
        span.set_attribute("output.mime_type", "application/json")


def record_error(span: Span, error: BaseException) -> None:
    """Mark the span failed and attach the exception as an event."""
    span.record_exception(error)
    span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"[:1000]))
    span.set_attribute("error.type", type(error).__qualname__)


@contextmanager
def start_span(
    name: str,
    *,
    kind: SpanKind,
    attributes: Mapping[str, Any] | None = None,
    input: Any = None,
) -> Iterator[Span]:
    """Open a span named `name` of OpenInference `kind`; exceptions are recorded and re-raised."""
    tracer = _get_tracer()
    with tracer.start_as_current_span(name, record_exception=False, set_status_on_exception=False) as span:
        if span.is_recording():
            span.set_attribute("openinference.span.kind", kind.value)
            for key, value in (attributes or {}).items():
                if value is None:
                    continue
                if isinstance(value, str | bool | int | float):
                    span.set_attribute(
                        key, value if not isinstance(value, str) else value[:MAX_ATTRIBUTE_CHARS]
                    )
                else:
                    span.set_attribute(key, to_json(value))
            if input is not None:
                set_input(span, input)
        try:
            yield span
        except BaseException as error:
            record_error(span, error)
            raise
