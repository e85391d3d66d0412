"""SDK glue: the SQLite exporter, the processor that records running spans, a content-dropping wrapper."""

from __future__ import annotations

import collections
import logging
import threading
from collections.abc import Sequence
from pathlib import Path

from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor
from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

from ._rows import derive_kind, span_row
from ._spans import TRACER_NAME
from ._store import TraceStore

__all__ = ["ContentFilterExporter", "RunningSpanProcessor", "SqliteSpanExporter"]

_log = logging.getLogger(__name__)


class SqliteSpanExporter(SpanExporter):
    """Writes finished spans into a `TraceStore`; meant to sit behind a `BatchSpanProcessor`."""

    def __init__(self, store: TraceStore | str | Path, *, drop: frozenset[str] = frozenset()) -> None:
        self.store = store if isinstance(store, TraceStore) else TraceStore(store)
        self._drop = drop

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Write one batch in one transaction."""
        try:
            self.store.write(span_row(s, self._drop) for s in spans)  # rows built chunk by chunk
        except Exception:
            _log.exception("could not write %d spans to %s", len(spans), self.store.path)
            return SpanExportResult.FAILURE
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Close the store's connections."""
        self.store.close()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Nothing is buffered here (the batch processor buffers)."""
        return True


class RunningSpanProcessor(SpanProcessor):
    """Tags spans with an OpenInference kind at start and writes long-running spans as 'running' rows.

    Starting a span only appends it to a deque (well under a microsecond); a background thread looks at
    the deque every `interval` seconds and writes the spans that are *still* running, so short spans
    (most graph nodes) never cost a start write at all.
    """

    def __init__(
        self, store: TraceStore | None, *, interval: float = 0.25, drop: frozenset[str] = frozenset()
    ) -> None:
        self.store = store
        self._interval = interval
        self._drop = drop
        self._pending: collections.deque[Span] = collections.deque()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if store is not None and interval > 0:
            self._thread = threading.Thread(target=self._loop, name="goalgraph-running-spans", daemon=True)
            self._thread.start()

    def on_start(self, span: Span, parent_context: Context | None = None) -> None:
        """Tag the kind; queue the span for a possible 'running' row."""
        scope = span.instrumentation_scope
        if scope is None or scope.name != TRACER_NAME:  # `start_span` gives ours their kind
            attributes = span.attributes
            if attributes is not None and "openinference.span.kind" not in attributes:
                kind = derive_kind(span.name, attributes)
                if kind is not None:
                    span.set_attribute("openinference.span.kind", kind)
        if self._thread is not None:
            self._pending.append(span)

    def on_end(self, span: ReadableSpan) -> None:
        """Nothing: the batch exporter writes finished spans."""

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self.flush()

    def flush(self) -> None:
        """Write every queued span that has not ended yet as a 'running' row."""
        if self.store is None:
            return
        rows = []
        while self._pending:
            span = self._pending.popleft()
            if span.end_time is not None:
                continue
            try:
                rows.append(span_row(span, self._drop))
            except RuntimeError:
                # Its attributes changed while we read them; it will be written when it ends.
                continue
        if rows:
            try:
                self.store.write(rows, running=True)
            except Exception:
                _log.exception("could not record %d running spans", len(rows))

    def shutdown(self) -> None:
        """Stop the background thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._pending.clear()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Write the running spans now."""
        self.flush()
        return True


class ContentFilterExporter(SpanExporter):
    """Drops content attributes (prompts, tool arguments, states) before handing spans to `inner`."""

    def __init__(self, inner: SpanExporter, drop: frozenset[str]) -> None:
        self._inner = inner
        self._drop = drop

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Copy each span without the dropped attributes and export the copies."""
        copies = [
            ReadableSpan(
                name=s.name,
                context=s.context,
                parent=s.parent,
                resource=s.resource,
                attributes={k: v for k, v in (s.attributes or {}).items() if k not in self._drop},
                events=s.events,
                links=s.links,
                kind=s.kind,
                status=s.status,
                start_time=s.start_time,
                end_time=s.end_time,
                instrumentation_scope=s.instrumentation_scope,
            )
            for s in spans
        ]
        return self._inner.export(copies)

    def shutdown(self) -> None:
        """Shut the wrapped exporter down."""
        self._inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        """Flush the wrapped exporter."""
        return self._inner.force_flush(timeout_millis)
