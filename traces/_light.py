"""A lighter start for goalgraph's own spans: same SDK `Span` class family, same provider and processors.

The OpenTelemetry SDK's ``Tracer.start_span`` costs ~13 µs per span on its own (~25 inside a LangGraph
step): it asks the sampler (three context look-ups and a result object), builds two lock-guarded bounded
lists for links and events that almost no span uses, validates every start attribute again, and on
``end()`` copies the span into a fresh `ReadableSpan`. Every graph node pays that.

`start` below produces a `LightSpan`, an SDK `Span` subclass (so processors, exporters and
``isinstance`` checks see an ordinary SDK span), and cuts only work whose outcome is already known:

- the sampling decision of the SDK's default sampler (``ParentBased(ALWAYS_ON)``) is the parent's
  sampled flag, computed here; any other sampler, or a disabled tracer, takes the SDK's own path;
- events and links lists are created on first use;
- start attributes from `span_attributes` are already valid attribute values within the configured
  bounds (`PreparedAttributes` records its longest string), so they go into the span's bounded
  attribute mapping without a second cleaning pass; anything else is cleaned by the SDK as usual;
- ``end()`` hands the span itself to the processors: after ``end()`` every SDK mutator refuses to change
  it, which is what the `ReadableSpan` copy guarantees.

The provider's span processor still sees ``on_start`` (after the start attributes are set, as with
``start_span(attributes=...)``), ``_on_ending`` and ``on_end`` for every span.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping
from time import time_ns
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.attributes import BoundedAttributes
from opentelemetry.sdk.trace import Span, Tracer, sampling
from opentelemetry.sdk.util import BoundedList
from opentelemetry.trace import NonRecordingSpan, SpanContext, TraceFlags
from opentelemetry.trace.status import Status, StatusCode

__all__ = ["LightSpan", "PreparedAttributes", "matches_sdk", "start"]

_UNSET = Status(StatusCode.UNSET)  # immutable; the SDK's ReadableSpan shares one default the same way
_SAMPLED = TraceFlags(TraceFlags.SAMPLED)
_SAMPLED_RANDOM = TraceFlags(TraceFlags.SAMPLED | TraceFlags.RANDOM_TRACE_ID)
_RANDOM = TraceFlags(TraceFlags.RANDOM_TRACE_ID)
_DEFAULT = TraceFlags(TraceFlags.DEFAULT)
_INTERNAL = trace.SpanKind.INTERNAL


class PreparedAttributes(dict[str, Any]):
    """Start attributes that are valid OpenTelemetry values (built by `span_attributes`), with the
    length of their longest string so a span can tell whether they fit its limits without a scan."""

    __slots__ = ("longest",)

    def __init__(self, values: dict[str, Any]) -> None:
        super().__init__(values)
        self.longest = max((len(v) for v in values.values() if isinstance(v, str)), default=0)
        """Characters in the longest string value."""


class LightSpan(Span):
    """An SDK span opened by `start`: the SDK's own methods (attributes, events, status, exceptions, end)
    work on it unchanged; only its construction and its hand-over at ``end()`` are lighter."""

    # Deliberately does not call Span.__init__ (that is the cost being avoided); it sets exactly the
    # fields the SDK's Span and ReadableSpan read, and a test checks their methods on it.
    def __init__(
        self,
        name: str,
        context: SpanContext,
        parent: SpanContext | None,
        tracer: Tracer,
        attributes: BoundedAttributes,
        record_end_metrics: Any,
    ) -> None:
        self._name = name
        self._context = context
        self._kind = _INTERNAL
        self._instrumentation_info = tracer.instrumentation_info
        self._instrumentation_scope = tracer._instrumentation_scope
        self._parent = parent
        self._start_time: int | None = None
        self._end_time: int | None = None
        self._attributes: BoundedAttributes = attributes
        self._resource = tracer.resource
        self._status = _UNSET
        self._sampler = tracer.sampler
        self._trace_config = None
        self._record_exception = True
        self._set_status_on_exception = True
        self._span_processor = tracer.span_processor
        self._limits = tracer._span_limits
        self._lock = threading.Lock()
        self._record_end_metrics = record_end_metrics
        self._event_list: BoundedList | None = None
        self._link_list: BoundedList | None = None

    # The events and links lists are made on first use: almost no node span has either, and each is two
    # objects plus a lock that the garbage collector would otherwise track until the span is exported.
    @property  # type: ignore[override]
    def _events(self) -> BoundedList:
        if self._event_list is None:
            self._event_list = BoundedList(self._limits.max_events)
        return self._event_list

    @_events.setter
    def _events(self, value: BoundedList) -> None:
        self._event_list = value

    @property  # type: ignore[override]
    def _links(self) -> BoundedList:
        if self._link_list is None:
            self._link_list = BoundedList(self._limits.max_links)
        return self._link_list

    @_links.setter
    def _links(self, value: BoundedList) -> None:
        self._link_list = value

    @property
    def has_events(self) -> bool:
        """Whether an event was added (without creating the events list)."""
        return bool(self._event_list)

    def set_valid_attributes(self, attributes: dict[str, str], longest: int) -> None:
        """Set string attributes whose longest value has `longest` characters; like ``set_attributes``,
        but without cleaning each value again when they fit the span's limits."""
        with self._lock:
            mapping = self._attributes
            maxlen, max_chars = mapping.maxlen, mapping.max_value_len
            if (
                self._end_time is None
                and (maxlen is None or len(mapping._dict) + len(attributes) <= maxlen)
                and (max_chars is None or longest <= max_chars)
            ):
                mapping._dict.update(attributes)
                return
        self.set_attributes(attributes)  # full, ended or too long: the SDK's own rules and warnings

    def end(self, end_time: int | None = None) -> None:
        """End the span and hand it (not a copy) to the processors."""
        with self._lock:
            ended = self._end_time is not None
            if not ended:
                self._end_time = end_time if end_time is not None else time_ns()
                self._attributes._immutable = True
        if ended:
            super().end(end_time)  # the SDK's warning for a second end()
            return
        if self._record_end_metrics:
            self._record_end_metrics()
        processor = self._span_processor
        processor._on_ending(self)
        processor.on_end(self)


@functools.cache
def matches_sdk() -> bool:
    """Whether a `LightSpan` carries every field an SDK span of the installed version has (its events and
    links lists, made on first use, aside). A newer SDK that adds one would find it missing, so then every
    span takes the SDK's own path. Checked once, at the first span."""
    from opentelemetry.sdk.trace import TracerProvider

    tracer = TracerProvider(shutdown_on_exit=False).get_tracer("goalgraph.check")
    if not isinstance(tracer, Tracer):
        return False
    sdk = tracer.start_span("check")
    light = LightSpan("check", sdk.get_span_context(), None, tracer, BoundedAttributes(), None)
    return set(vars(sdk)) - set(vars(light)) <= {"_events", "_links"}


def start(
    tracer: Tracer, name: str, attributes: Mapping[str, Any], content: dict[str, str] | None = None
) -> tuple[trace.Span, object]:
    """Start span `name` with `attributes` (and `content`, string attributes already cut to goalgraph's
    bound) as a child of the current span, make it current, and return it with the context token to
    detach. Equivalent to the SDK's ``start_span`` + ``set_attributes`` + ``attach``."""
    current = otel_context.get_current()
    span: trace.Span
    if not matches_sdk() or tracer.sampler is not sampling.DEFAULT_ON or not tracer._is_enabled():
        span = tracer.start_span(name, current)
        span.set_attributes({**attributes, **content} if content else attributes)
        return span, otel_context.attach(trace.set_span_in_context(span, current))
    parent: SpanContext | None = trace.get_current_span(current).get_span_context()
    if parent is not None and parent.is_valid:
        trace_id = parent.trace_id
        parent_flags = parent.trace_flags
        # ParentBased(ALWAYS_ON) follows the parent's sampled flag, whether the parent is local or remote
        sampled = bool(parent_flags & TraceFlags.SAMPLED)
        random_id = bool(parent_flags & TraceFlags.RANDOM_TRACE_ID)
        trace_state = parent.trace_state
    else:
        parent = None
        trace_id = tracer.id_generator.generate_trace_id()
        sampled = True
        random_id = tracer.id_generator.is_trace_id_random()
        trace_state = None
    decision = sampling.Decision.RECORD_AND_SAMPLE if sampled else sampling.Decision.DROP
    flags = (_SAMPLED_RANDOM if random_id else _SAMPLED) if sampled else (_RANDOM if random_id else _DEFAULT)
    context = SpanContext(
        trace_id, tracer.id_generator.generate_span_id(), False, trace_flags=flags, trace_state=trace_state
    )
    record_end_metrics = tracer._tracer_metrics.start_span(parent, decision)
    if not sampled:
        span = NonRecordingSpan(context)
        return span, otel_context.attach(trace.set_span_in_context(span, current))
    limits = tracer._span_limits
    bounded = BoundedAttributes(
        limits.max_span_attributes, None, immutable=False, max_value_len=limits.max_span_attribute_length
    )
    maxlen, max_chars = bounded.maxlen, bounded.max_value_len
    count = len(attributes) + (len(content) if content else 0)
    if (
        isinstance(attributes, PreparedAttributes)
        and (maxlen is None or count <= maxlen)
        and (max_chars is None or attributes.longest <= max_chars)
        and (not content or max_chars is None or max(map(len, content.values())) <= max_chars)
    ):
        bounded._dict.update(attributes)
        if content:
            bounded._dict.update(content)
    else:  # the SDK's cleaning and bounds
        bounded._set_items({**attributes, **content} if content else attributes)
    light = LightSpan(name, context, parent, tracer, bounded, record_end_metrics)
    light._start_time = time_ns()
    light._span_processor.on_start(light, parent_context=current)
    return light, otel_context.attach(trace.set_span_in_context(light, current))
