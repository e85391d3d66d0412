"""One span as a plain row (a dict): the shape the SQLite store, the OTLP-JSON files and the viewer share."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any, cast

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind, StatusCode

from ._light import LightSpan

__all__ = ["derive_kind", "search_text", "span_row"]

# GenAI operation names → OpenInference kinds, for spans (pydantic-ai's) that carry no explicit kind.
_OPERATION_KINDS = {
    "invoke_agent": "AGENT",
    "create_agent": "AGENT",
    "chat": "LLM",
    "text_completion": "LLM",
    "generate_content": "LLM",
    "execute_tool": "TOOL",
    "embeddings": "EMBEDDING",
    "retrieval": "RETRIEVER",
}
# Attributes too bulky or too mechanical to be worth full-text indexing.
_UNINDEXED = frozenset({"logfire.json_schema", "model_request_parameters", "gen_ai.tool.definitions"})
_MAX_SEARCH_TEXT = 32_000


def _status_name(code: StatusCode) -> str:
    # Identity tests: hashing an Enum member (a dict lookup) runs Python code, and every span asks.
    return "UNSET" if code is StatusCode.UNSET else "ERROR" if code is StatusCode.ERROR else "OK"


def derive_kind(name: str, attributes: Mapping[str, Any]) -> str | None:
    """The span's OpenInference kind: explicit, else from ``gen_ai.operation.name`` or the name's verb."""
    kind = attributes.get("openinference.span.kind")
    if isinstance(kind, str):
        return kind
    operation = attributes.get("gen_ai.operation.name")
    if not isinstance(operation, str):
        operation = name.split(" ", 1)[0]
    return _OPERATION_KINDS.get(operation)


def _plain(value: Any) -> Any:
    # Sequences come out of the SDK as tuples; JSON wants lists.
    return list(value) if isinstance(value, tuple) else value


# Every span of a process shares one Resource; its row form is built once (a one-entry cache, so a
# provider swapped by a new `setup()` is picked up at its first span).
_last_resource: list[Any] = [None, {}]


def _resource_dict(resource: Resource | None) -> dict[str, Any]:
    if resource is None:
        return {}
    if resource is not _last_resource[0]:
        _last_resource[:] = [resource, {k: _plain(v) for k, v in resource.attributes.items()}]
    return cast(dict[str, Any], _last_resource[1])


@functools.lru_cache(maxsize=4096)
def _hex_id(value: int, width: int) -> str:
    # Trace and parent ids repeat across a batch (every node span of a run shares both); formatting them
    # once each is measurably cheaper than an f-string per span.
    return f"{value:0{width}x}"


_SPAN_KINDS = {kind: kind.name for kind in SpanKind}


def span_row(span: ReadableSpan, drop: frozenset[str] = frozenset()) -> dict[str, Any]:
    """A finished (or running) SDK span as a row; attributes named in `drop` are left out.

    The row is for encoding, not for keeping: its ``attributes`` may be the finished span's own dict.
    """
    context = span.context
    # `ReadableSpan.attributes` is a mappingproxy over BoundedAttributes, which iterates through the
    # Mapping ABC under a lock per key (~8 µs a span). A finished span's attributes are frozen, and rows
    # are only ever JSON-encoded (tuples become lists there), so its plain dict is used as it is.
    bounded = getattr(span, "_attributes", None)
    frozen = getattr(bounded, "_dict", None) if span.end_time is not None else None
    attributes: dict[str, Any] = frozen if frozen is not None else dict(span.attributes or {})
    if drop:
        attributes = {k: v for k, v in attributes.items() if k not in drop}
    # `events` copies the bounded list under its lock; most spans have none, which `_events` tells for free
    # (a `LightSpan` creates that list only when an event is added: `has_events` asks without creating it).
    events = (
        [
            {
                "name": e.name,
                "time_ns": e.timestamp,
                "attributes": {k: _plain(v) for k, v in (e.attributes or {}).items()},
            }
            for e in span.events
        ]
        if (span.has_events if isinstance(span, LightSpan) else getattr(span, "_events", True))
        else []
    )
    status = span.status
    end_ns = span.end_time
    parent = span.parent
    scope = span.instrumentation_scope
    kind = span.kind
    return {
        "span_id": f"{context.span_id:016x}",
        "trace_id": _hex_id(context.trace_id, 32),
        "parent_id": _hex_id(parent.span_id, 16) if parent is not None else None,
        "name": span.name,
        "kind": derive_kind(span.name, attributes),
        "otel_kind": "INTERNAL" if kind is SpanKind.INTERNAL else _SPAN_KINDS.get(kind) or kind.name,
        "start_ns": span.start_time or 0,
        "end_ns": end_ns,
        "status": "RUNNING" if end_ns is None else _status_name(status.status_code),
        "status_message": status.description or "",
        "attributes": attributes,
        "events": events,
        "resource": _resource_dict(span.resource),
        "scope": scope.name if scope is not None else "",
    }


def search_text(name: str, attributes: Mapping[str, Any], events: Iterable[Mapping[str, Any]] = ()) -> str:
    """The text full-text search sees for a span: its name, attribute values and exception messages."""
    parts = [name]
    for key, value in attributes.items():
        if key in _UNINDEXED:
            continue
        parts.append(value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
    for event in events:
        parts.extend(str(v) for k, v in event.get("attributes", {}).items() if k != "exception.stacktrace")
    return " ".join(parts)[:_MAX_SEARCH_TEXT]


def int_or_none(value: Any) -> int | None:
    """`value` as an int when it is a number (token counts), else None."""
    return int(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
