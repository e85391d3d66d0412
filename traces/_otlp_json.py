"""OTLP-JSON lines: move traces between machines and into other viewers.

Each line is one OTLP/JSON ``ExportTraceServiceRequest`` (``{"resourceSpans": [...]}``) holding one
trace, with hex trace/span ids and string nanosecond times as the OTLP/JSON spec requires. Written by
hand because the SDK only ships the protobuf encoder, whose JSON form uses base64 ids.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import Event, ReadableSpan
from opentelemetry.sdk.util.instrumentation import InstrumentationScope
from opentelemetry.trace import SpanContext, SpanKind, Status, StatusCode, TraceFlags

from ._rows import derive_kind
from ._store import TraceStore

__all__ = [
    "OtlpJsonError",
    "export_otlp_json",
    "import_otlp_json",
    "request_from_rows",
    "rows_from_request",
    "rows_to_sdk_spans",
]

_OTEL_KINDS = {"UNSPECIFIED": 0, "INTERNAL": 1, "SERVER": 2, "CLIENT": 3, "PRODUCER": 4, "CONSUMER": 5}
_STATUS_CODES = {"UNSET": 0, "OK": 1, "ERROR": 2}


class OtlpJsonError(ValueError):
    """A file is not valid OTLP-JSON lines; the message names the file and line."""


def _any_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, list | tuple):
        return {"arrayValue": {"values": [_any_value(v) for v in value]}}
    if isinstance(value, Mapping):
        return {"kvlistValue": {"values": _key_values(value)}}
    return {"stringValue": str(value)}


def _key_values(attributes: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [{"key": k, "value": _any_value(v)} for k, v in attributes.items()]


def _plain_value(value: Mapping[str, Any]) -> Any:
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "intValue" in value:
        return int(value["intValue"])
    if "doubleValue" in value:
        return float(value["doubleValue"])
    if "arrayValue" in value:
        return [_plain_value(v) for v in value["arrayValue"].get("values", [])]
    if "kvlistValue" in value:
        return _plain_attributes(value["kvlistValue"].get("values", []))
    return None


def _plain_attributes(items: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    return {item["key"]: _plain_value(item.get("value", {})) for item in items}


def request_from_rows(rows: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Span rows (of any traces) as one OTLP/JSON export request, grouped by resource and scope."""
    groups: dict[str, dict[str, list[dict[str, Any]]]] = defaultdict(lambda: defaultdict(list))
    resources: dict[str, Mapping[str, Any]] = {}
    for row in rows:
        resource_key = json.dumps(row.get("resource") or {}, sort_keys=True, default=str)
        resources[resource_key] = row.get("resource") or {}
        span: dict[str, Any] = {
            "traceId": row["trace_id"],
            "spanId": row["span_id"],
            "name": row["name"],
            "kind": _OTEL_KINDS.get(str(row.get("otel_kind") or "INTERNAL"), 1),
            "startTimeUnixNano": str(row["start_ns"]),
            "attributes": _key_values(row["attributes"]),
            "events": [
                {
                    "timeUnixNano": str(e["time_ns"]),
                    "name": e["name"],
                    "attributes": _key_values(e["attributes"]),
                }
                for e in row["events"]
            ],
            "status": {
                "code": _STATUS_CODES.get(row["status"], 0),
                "message": row.get("status_message") or "",
            },
        }
        if row.get("parent_id"):
            span["parentSpanId"] = row["parent_id"]
        if row.get("end_ns") is not None:
            span["endTimeUnixNano"] = str(row["end_ns"])
        groups[resource_key][row.get("scope") or ""].append(span)
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _key_values(resources[rk])},
                "scopeSpans": [{"scope": {"name": scope}, "spans": spans} for scope, spans in scopes.items()],
            }
            for rk, scopes in groups.items()
        ]
    }


def rows_from_request(request: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """The span rows in one OTLP/JSON export request (raises KeyError/ValueError when malformed)."""
    kinds = {v: k for k, v in _OTEL_KINDS.items()}
    for resource_spans in request.get("resourceSpans", []):
        resource = _plain_attributes(resource_spans.get("resource", {}).get("attributes", []))
        for scope_spans in resource_spans.get("scopeSpans", []):
            scope = scope_spans.get("scope", {}).get("name", "")
            for span in scope_spans.get("spans", []):
                attributes = _plain_attributes(span.get("attributes", []))
                end = span.get("endTimeUnixNano")
                code = span.get("status", {}).get("code", 0)
                code = (
                    _STATUS_CODES.get(code, 0) if isinstance(code, str) and not code.isdigit() else int(code)
                )
                trace_id, span_id = str(span["traceId"]).lower(), str(span["spanId"]).lower()
                if len(trace_id) != 32 or len(span_id) != 16:
                    raise ValueError(f"span {span.get('name')!r}: traceId/spanId must be 32/16 hex digits")
                int(trace_id, 16), int(span_id, 16)
                yield {
                    "span_id": span_id,
                    "trace_id": trace_id,
                    "parent_id": str(span["parentSpanId"]).lower() if span.get("parentSpanId") else None,
                    "name": span["name"],
                    "kind": derive_kind(span["name"], attributes),
                    "otel_kind": kinds.get(int(span.get("kind", 1)), "INTERNAL"),
                    "start_ns": int(span["startTimeUnixNano"]),
                    "end_ns": int(end) if end is not None else None,
                    "status": (
                        "RUNNING" if end is None else {0: "UNSET", 1: "OK", 2: "ERROR"}.get(code, "UNSET")
                    ),
                    "status_message": span.get("status", {}).get("message", ""),
                    "attributes": attributes,
                    "events": [
                        {
                            "name": e.get("name", ""),
                            "time_ns": int(e.get("timeUnixNano", 0)),
                            "attributes": _plain_attributes(e.get("attributes", [])),
                        }
                        for e in span.get("events", [])
                    ],
                    "resource": resource,
                    "scope": scope,
                }


def export_otlp_json(store: TraceStore, trace_ids: Iterable[str], path: str | Path) -> int:
    """Write the given traces to `path` as OTLP-JSON lines (one trace per line); returns the span count.

    The file appears whole or not at all (written beside it, then renamed), so an interrupted export
    never leaves a truncated file where a previous one was.
    """
    path = Path(path)
    if path.is_dir():
        raise OtlpJsonError(f"{path}: is a directory; give a file path")
    count = 0
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with tmp.open("w", encoding="utf-8") as out:
            for trace_id in trace_ids:
                rows = list(store.spans(trace_id))
                count += len(rows)
                out.write(json.dumps(request_from_rows(rows), ensure_ascii=False) + "\n")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def import_otlp_json(store: TraceStore, path: str | Path) -> int:
    """Load an OTLP-JSON lines file (or one OTLP/JSON document) into `store`; returns the span count.

    Every line is parsed before anything is written, and all spans go in one transaction: a bad line
    anywhere leaves the store as it was.
    """
    path = Path(path)
    if path.is_dir():
        raise OtlpJsonError(f"{path}: is a directory, not an OTLP-JSON lines file")
    if not path.is_file():
        raise OtlpJsonError(f"{path}: no such file")
    rows: list[dict[str, Any]] = []
    with path.open("rb") as lines:
        for number, raw in enumerate(lines, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                raise OtlpJsonError(
                    f"{path}:{number}: not UTF-8 text (byte {error.start}: {error.reason}); "
                    "OTLP-JSON files are UTF-8"
                ) from None
            if not line.strip():
                continue
            try:
                rows.extend(rows_from_request(json.loads(line)))
            except (ValueError, KeyError, TypeError, AttributeError) as error:
                raise OtlpJsonError(f"{path}:{number}: not an OTLP/JSON trace request ({error})") from None
    store.write(rows)
    return len(rows)


def rows_to_sdk_spans(rows: Iterable[Mapping[str, Any]]) -> list[ReadableSpan]:
    """Stored rows as SDK spans, so any `SpanExporter` (e.g. OTLP/HTTP to Phoenix) can send them."""
    spans = []
    for row in rows:
        if row.get("end_ns") is None:
            continue
        context = SpanContext(
            int(row["trace_id"], 16),
            int(row["span_id"], 16),
            is_remote=False,
            trace_flags=TraceFlags(TraceFlags.SAMPLED),
        )
        parent = (
            SpanContext(int(row["trace_id"], 16), int(row["parent_id"], 16), is_remote=False)
            if row.get("parent_id")
            else None
        )
        status = {"ERROR": StatusCode.ERROR, "OK": StatusCode.OK}.get(row["status"], StatusCode.UNSET)
        spans.append(
            ReadableSpan(
                name=row["name"],
                context=context,
                parent=parent,
                resource=Resource.create(dict(row.get("resource") or {})),
                attributes=_sdk_attributes(row["attributes"]),
                events=[
                    Event(e["name"], _sdk_attributes(e["attributes"]), e["time_ns"]) for e in row["events"]
                ],
                kind=SpanKind[str(row.get("otel_kind") or "INTERNAL")],
                status=Status(status, row.get("status_message") or None)
                if status is StatusCode.ERROR
                else Status(status),
                start_time=row["start_ns"],
                end_time=row["end_ns"],
                instrumentation_scope=InstrumentationScope(row.get("scope") or "goalgraph"),
            )
        )
    return spans


def _sdk_attributes(attributes: Mapping[str, Any]) -> dict[str, Any]:
    # OTel attributes are scalars or homogeneous scalar lists; anything else travels as JSON text.
    out: dict[str, Any] = {}
    for key, value in attributes.items():
        if isinstance(value, str | bool | int | float):
            out[key] = value
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            out[key] = tuple(value)
        else:
            out[key] = json.dumps(value, default=str)
    return out
