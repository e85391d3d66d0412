"""Span helpers shared by every goalgraph module: GenAI + OpenInference conventions in one place.

Works with or without `goalgraph.traces.setup()`: without it OpenTelemetry's global no-op tracer
makes every helper nearly free.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from enum import StrEnum
from typing import Any, cast

import pydantic_core
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.trace import Tracer as SdkTracer
from opentelemetry.trace import Span, Status, StatusCode
from pydantic_core import PydanticSerializationError

from ._light import LightSpan, PreparedAttributes
from ._light import start as _light_start

__all__ = [
    "SpanKind",
    "SpanScope",
    "record_error",
    "set_input",
    "set_output",
    "span_attributes",
    "start_span",
    "to_json",
]

TRACER_NAME = "goalgraph"  # the instrumentation scope of every span goalgraph opens

#: Longest string (in characters) written into one attribute; longer values are cut with a marker.
#: `goalgraph.traces.setup()` replaces it with `TraceSettings.max_attribute_chars`.
MAX_ATTRIBUTE_CHARS = 16_000

# The tracer of the provider `setup()` installed. Held here rather than fetched from the global provider
# because the global one can only be set once per process (and may belong to someone else).
_tracer: trace.Tracer | None = None
# False when `setup(capture_content=False)`: inputs and outputs are then not recorded at all.
_capture_content = True


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
        try:  # encode_json, inlined: every traced step encodes its input and output here
            text = pydantic_core.to_json(value, fallback=_fallback, inf_nan_mode="constants").decode()
        except (TypeError, ValueError, PydanticSerializationError):
            text = repr(value)
    if len(text) > limit:
        text = text[:limit] + f"…[truncated {len(text) - limit} chars]"
    return text


def _fallback(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    return repr(value)


_JSON_MIME = "application/json"


def encode_json(value: Any, fallback: Callable[[Any], Any] = repr) -> str:
    """`value` as compact JSON (UTF-8 kept, NaN as in `json`); `fallback` turns unknown objects into
    something serialisable. pydantic-core's Rust encoder: 4-6x faster than `json.dumps` on span-sized
    values, and every traced step encodes a few."""
    return pydantic_core.to_json(value, fallback=fallback, inf_nan_mode="constants").decode()


_CONTENT_KEYS = {"input": ("input.value", "input.mime_type"), "output": ("output.value", "output.mime_type")}


def _content(direction: str, value: Any) -> dict[str, str]:
    # Set in one call: each set_attribute takes the span's lock and re-validates the bounded mapping.
    value_key, mime_key = _CONTENT_KEYS[direction]
    return {value_key: to_json(value), mime_key: _JSON_MIME}


def _set_content(span: Span, direction: str, value: Any) -> None:
    if not (_capture_content and span.is_recording()):
        return
    content = _content(direction, value)
    if isinstance(span, LightSpan):  # to_json bounded the value already: no second cleaning pass
        span.set_valid_attributes(content, len(content[_CONTENT_KEYS[direction][0]]))
    else:
        span.set_attributes(content)


def set_input(span: Span, value: Any) -> None:
    """Record a step's input as `input.value` (JSON)."""
    _set_content(span, "input", value)


def set_output(span: Span, value: Any) -> None:
    """Record a step's output as `output.value` (JSON)."""
    _set_content(span, "output", value)


def record_error(span: Span, error: BaseException) -> None:
    """Mark the span failed and attach the exception as an event."""
    span.record_exception(error)
    span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"[:1000]))
    span.set_attribute("error.type", type(error).__qualname__)


def span_attributes(kind: SpanKind, attributes: Mapping[str, Any] | None = None) -> PreparedAttributes:
    """The start attributes of a span: its OpenInference kind plus `attributes` made OpenTelemetry-valid
    (None dropped, strings bounded, anything else as JSON). Compute it once for spans opened repeatedly."""
    out: dict[str, Any] = {"openinference.span.kind": kind.value}
    for key, value in (attributes or {}).items():
        if value is None:
            continue
        if isinstance(value, str):
            out[key] = value[:MAX_ATTRIBUTE_CHARS]
        elif isinstance(value, bool | int | float):
            out[key] = value
        else:
            out[key] = to_json(value)
    return PreparedAttributes(out)


class SpanScope:
    """The context manager `start_span` returns: the span is current inside the block and ends with it.

    A plain class rather than ``@contextmanager`` (or the SDK's ``start_as_current_span``, itself two nested
    generator-based managers): opening a graph node's span is on every step's path, and each generator
    layer costs a few microseconds.
    """

    __slots__ = ("_attributes", "_input", "_kind", "_name", "_prepared", "_span", "_token")

    def __init__(
        self,
        name: str,
        kind: SpanKind,
        attributes: Mapping[str, Any] | None,
        prepared: Mapping[str, Any] | None,
        input: Any,
    ) -> None:
        self._name = name
        self._kind = kind
        self._attributes = attributes
        self._prepared = prepared
        self._input = input
        self._span: Span = trace.INVALID_SPAN
        self._token: object = None

    def __enter__(self) -> Span:
        tracer = _tracer
        if tracer is None:
            if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
                return self._span  # nobody installed a provider: no span, and no attributes to build
            tracer = trace.get_tracer(TRACER_NAME)
        attributes = (
            self._prepared if self._prepared is not None else span_attributes(self._kind, self._attributes)
        )
        content = _content("input", self._input) if self._input is not None and _capture_content else None
        if isinstance(tracer, SdkTracer):
            self._span, self._token = _light_start(tracer, self._name, attributes, content)
            return self._span
        # A tracer that is not the OpenTelemetry SDK's: one set_attributes call right after the start (each
        # set_attribute takes a lock and validates), rather than start_span(attributes=...), where the SDK's
        # sampler wraps them in a mappingproxy whose Mapping check missed the ABC cache inside LangGraph
        # runs (~30 µs a span).
        self._span = span = tracer.start_span(self._name)
        span.set_attributes({**attributes, **content} if content else attributes)
        self._token = otel_context.attach(trace.set_span_in_context(span))
        return span

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: Any) -> None:
        span = self._span
        if span is trace.INVALID_SPAN:
            return
        if error is not None:
            record_error(span, error)
        otel_context.detach(cast(Any, self._token))
        span.end()


def start_span(
    name: str,
    *,
    kind: SpanKind,
    attributes: Mapping[str, Any] | None = None,
    input: Any = None,
    prepared: Mapping[str, Any] | None = None,
) -> AbstractContextManager[Span]:
    """Open a span named `name` of OpenInference `kind`, current within the ``with`` block; an exception
    leaving the block is recorded on the span (status ERROR) and re-raised.

        with start_span("lookup", kind=SpanKind.TOOL, input=query) as span:
            set_output(span, hits)

    `prepared` (from `span_attributes`) replaces `kind` + `attributes` for hot paths that open the same
    kind of span many times (graph nodes).
    """
    return SpanScope(name, kind, attributes, prepared, input)
