"""`setup()` / `shutdown()`: one TracerProvider per process, feeding the SQLite store and optional OTLP."""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanLimits, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter

from . import _spans
from ._config import CONTENT_ATTRIBUTES, TraceSettings
from ._export import ContentFilterExporter, RunningSpanProcessor, SqliteSpanExporter
from ._store import TraceStore

__all__ = ["DEFAULT_PATH", "force_flush", "is_active", "setup", "shutdown", "store_path"]

#: Where the CLI and demos keep spans unless told otherwise (relative to the working directory).
DEFAULT_PATH = Path(".goalgraph") / "traces.db"

_log = logging.getLogger(__name__)


_NOOP_STARTS = (SpanProcessor.on_start, BatchSpanProcessor.on_start)
_NOOP_ENDS = (SpanProcessor.on_end, RunningSpanProcessor.on_end)


class _Switch(SpanProcessor):
    """The provider's only processor; it forwards to whatever the current `setup()` configured.

    OpenTelemetry lets a process set its global provider once and offers no way to remove a processor, so
    `shutdown()` followed by a new `setup()` swaps the list here instead of building a second provider.
    """

    def __init__(self) -> None:
        self._processors: tuple[SpanProcessor, ...] = ()
        self._starts: tuple[Callable[..., None], ...] = ()
        self._ends: tuple[Callable[[ReadableSpan], None], ...] = ()

    @property
    def processors(self) -> tuple[SpanProcessor, ...]:
        """The processors spans go to now."""
        return self._processors

    @processors.setter
    def processors(self, processors: tuple[SpanProcessor, ...]) -> None:
        # Every span passes through both hooks: only the processors that override one are called (the
        # batch processor's on_start and the running-span processor's on_end do nothing).
        self._starts = tuple(p.on_start for p in processors if type(p).on_start not in _NOOP_STARTS)
        self._ends = tuple(p.on_end for p in processors if type(p).on_end not in _NOOP_ENDS)
        self._processors = processors

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        for on_start in self._starts:
            on_start(span, parent_context=parent_context)

    def on_end(self, span: ReadableSpan) -> None:
        for on_end in self._ends:
            on_end(span)

    def shutdown(self) -> None:
        for processor in self.processors:
            processor.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return all(processor.force_flush(timeout_millis) for processor in self.processors)


@dataclass
class _State:
    provider: TracerProvider | None = None
    switch: _Switch = field(default_factory=_Switch)
    key: tuple[object, ...] | None = None
    store_path: Path | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_state = _State()


def _limits(settings: TraceSettings) -> SpanLimits:
    return SpanLimits(
        max_span_attributes=settings.max_attributes,
        max_events=settings.max_events,
        max_span_attribute_length=settings.max_attribute_length,
    )


def _otlp_url(endpoint: str) -> str:
    endpoint = endpoint.rstrip("/")
    return endpoint if endpoint.endswith("/v1/traces") else endpoint + "/v1/traces"


def setup(
    path: str | Path | None = DEFAULT_PATH,
    otlp_endpoint: str | None = None,
    capture_content: bool = True,
    settings: TraceSettings | None = None,
    *,
    processors: Sequence[SpanProcessor] = (),
) -> TracerProvider:
    """Install goalgraph's tracer provider (idempotent) and return it.

    Spans go to the SQLite store at `path` (None: no store), to `otlp_endpoint` over OTLP/HTTP (default:
    ``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` when set), and to any extra
    `processors` (tests pass a ``SimpleSpanProcessor(InMemorySpanExporter())``). pydantic-ai is
    instrumented with the same provider, so every LLM call and pydantic-ai tool call is a span. With
    ``capture_content=False`` prompts, messages, tool arguments and results are left out of every span.
    Calling it again with the same arguments changes nothing; with different ones it reconfigures.
    """
    settings = settings or TraceSettings()
    endpoint = (
        otlp_endpoint
        or os.environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        or os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    )
    resolved = Path(path).expanduser().resolve() if path is not None else None
    key = (resolved, endpoint, capture_content, settings, tuple(id(p) for p in processors))
    with _state.lock:
        if _state.provider is not None and _state.key == key:
            return _state.provider
        _stop_processors()
        if _state.provider is None:
            _state.provider = TracerProvider(
                resource=Resource.create({"service.name": settings.service_name}),
                span_limits=_limits(settings),
            )
            _state.provider.add_span_processor(_state.switch)
            if isinstance(trace.get_tracer_provider(), trace.ProxyTracerProvider):
                trace.set_tracer_provider(_state.provider)
            atexit.register(shutdown)
        else:
            # The SDK reads the limits from the provider at each span start; there is no public setter.
            _state.provider._span_limits = _limits(settings)
        drop = frozenset() if capture_content else CONTENT_ATTRIBUTES
        store = TraceStore(resolved) if resolved is not None else None
        active: list[SpanProcessor] = [
            RunningSpanProcessor(store, interval=settings.running_flush_s, drop=drop)
        ]
        if store is not None:
            active.append(_batch(SqliteSpanExporter(store, drop=drop), settings))
        if endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            exporter: SpanExporter = OTLPSpanExporter(endpoint=_otlp_url(endpoint))
            active.append(_batch(ContentFilterExporter(exporter, drop) if drop else exporter, settings))
        active.extend(processors)
        _state.switch.processors = tuple(active)
        _state.key = key
        _state.store_path = resolved
        _spans._configure(_state.provider.get_tracer(_spans.TRACER_NAME), settings.max_attribute_chars)
        _spans._capture_content = capture_content
        _instrument_pydantic_ai(_state.provider, capture_content)
        return _state.provider


def _batch(exporter: SpanExporter, settings: TraceSettings) -> BatchSpanProcessor:
    return BatchSpanProcessor(
        exporter,
        max_queue_size=settings.max_queue_size,
        schedule_delay_millis=settings.batch_delay_ms,
        max_export_batch_size=min(settings.max_export_batch_size, settings.max_queue_size),
    )


def _instrument_pydantic_ai(provider: TracerProvider | None, capture_content: bool) -> None:
    try:
        from pydantic_ai import Agent
        from pydantic_ai.models.instrumented import InstrumentationSettings
    except ImportError:  # pydantic-ai is a dependency, but tracing must not need it
        return
    if provider is None:
        Agent.instrument_all(False)
    else:
        Agent.instrument_all(
            InstrumentationSettings(tracer_provider=provider, include_content=capture_content)
        )


def _stop_processors() -> None:
    processors, _state.switch.processors = _state.switch.processors, ()
    for processor in processors:
        try:
            processor.shutdown()
        except Exception:
            _log.exception("trace processor %r failed to shut down", processor)


def force_flush(timeout_millis: int = 30_000) -> bool:
    """Write every buffered span now (finished ones to all exporters, running ones to the store)."""
    return _state.switch.force_flush(timeout_millis)


def shutdown() -> None:
    """Flush and stop every exporter; spans are then dropped until the next `setup()`."""
    with _state.lock:
        if _state.key is None:
            return
        _state.switch.force_flush()
        _stop_processors()
        _state.key = None
        _state.store_path = None
        _spans._configure(None, TraceSettings().max_attribute_chars)
        _spans._capture_content = True
        _instrument_pydantic_ai(None, True)


def is_active() -> bool:
    """Whether `setup()` is in effect."""
    return _state.key is not None


def store_path() -> Path | None:
    """The SQLite file spans are written to, if any."""
    return _state.store_path
