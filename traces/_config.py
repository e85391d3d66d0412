"""The frozen settings object of `goalgraph.traces.setup()`."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CONTENT_ATTRIBUTES", "TraceSettings"]

#: Attributes that carry prompt / tool / state content; dropped by the exporters when content capture is off.
CONTENT_ATTRIBUTES: frozenset[str] = frozenset(
    {
        "input.value",
        "output.value",
        "gen_ai.input.messages",
        "gen_ai.output.messages",
        "gen_ai.system_instructions",
        "gen_ai.tool.call.arguments",
        "gen_ai.tool.call.result",
        "pydantic_ai.all_messages",
        "final_result",
    }
)


@dataclass(frozen=True)
class TraceSettings:
    """Bounds and batching of the trace pipeline (all fields have sensible defaults).

    The OpenTelemetry SDK keeps 128 attributes per span by default and silently drops the rest; an LLM
    span from pydantic-ai plus our own attributes can come close, so the default here is higher.
    """

    max_attributes: int = 512
    """Attributes kept per span (the SDK's default is 128)."""
    max_attribute_chars: int = 16_000
    """Characters goalgraph writes into one attribute; longer values are cut with a visible marker."""
    max_attribute_length: int = 131_072
    """Hard cap the SDK applies to any string attribute (pydantic-ai's message lists included)."""
    max_events: int = 256
    """Events kept per span (exceptions are events)."""
    batch_delay_ms: int = 500
    """How often the batch processor writes finished spans to the store."""
    max_queue_size: int = 65_536
    """Finished spans buffered before the batch processor starts dropping (the SDK's default is 2,048)."""
    max_export_batch_size: int = 4_096
    """Spans written in one SQLite transaction."""
    running_flush_s: float = 0.25
    """How often spans that are still running are written as 'running' rows (0 turns it off)."""
    service_name: str = "goalgraph"
    """The `service.name` resource attribute."""

    def __post_init__(self) -> None:
        for name in (
            "max_attributes",
            "max_attribute_chars",
            "max_attribute_length",
            "max_events",
            "max_queue_size",
            "max_export_batch_size",
        ):
            if getattr(self, name) <= 0:
                raise ValueError(f"TraceSettings.{name} must be positive, got {getattr(self, name)!r}")
        if self.batch_delay_ms < 0 or self.running_flush_s < 0:
            raise ValueError("TraceSettings.batch_delay_ms and running_flush_s must not be negative")
        if self.max_attribute_length < self.max_attribute_chars:
            raise ValueError("TraceSettings.max_attribute_length must be >= max_attribute_chars")
