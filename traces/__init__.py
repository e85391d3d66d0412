"""OpenTelemetry tracing for goalgraph: span helpers, setup, the local SQLite store and its viewer.

from goalgraph import traces
traces.setup(".goalgraph/traces.db")          # spans of every agent, tool and LLM call go to SQLite
with traces.agent_run("my-agent", input=question) as span: ...   # then `goalgraph traces serve`
"""

from ._config import CONTENT_ATTRIBUTES, TraceSettings
from ._graph import IMAGE_ATTRIBUTE_PREFIX, agent_run, set_image, traced_node
from ._otlp_json import OtlpJsonError, export_otlp_json, import_otlp_json
from ._setup import DEFAULT_PATH, force_flush, is_active, setup, shutdown, store_path
from ._spans import SpanKind, record_error, set_input, set_output, start_span, to_json
from ._store import RunNotFoundError, TraceStore, TraceStoreError

__all__ = [
    "CONTENT_ATTRIBUTES",
    "DEFAULT_PATH",
    "IMAGE_ATTRIBUTE_PREFIX",
    "OtlpJsonError",
    "RunNotFoundError",
    "SpanKind",
    "TraceSettings",
    "TraceStore",
    "TraceStoreError",
    "agent_run",
    "export_otlp_json",
    "force_flush",
    "import_otlp_json",
    "is_active",
    "record_error",
    "set_image",
    "set_input",
    "set_output",
    "setup",
    "shutdown",
    "start_span",
    "store_path",
    "to_json",
    "traced_node",
]
