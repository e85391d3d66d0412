"""Span helpers for agent runs, LangGraph nodes and images."""

from __future__ import annotations

import base64
import functools
import inspect
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from opentelemetry.trace import Span

from . import _spans
from ._spans import SpanKind, SpanScope, start_span

__all__ = ["IMAGE_ATTRIBUTE_PREFIX", "agent_run", "set_image", "traced_node"]

#: Span attributes under this prefix hold an image (a file path or a ``data:image/...`` URL) for the viewer.
IMAGE_ATTRIBUTE_PREFIX = "goalgraph.image."

F = TypeVar("F", bound=Callable[..., Any])


@contextmanager
def agent_run(
    name: str,
    *,
    input: Any = None,
    model: str | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Iterator[Span]:
    """An ``invoke_agent {name}`` AGENT span around one agent run (the root of its trace).

    with traces.agent_run("rearag", input=question) as span:
        answer = graph.invoke(...)
        traces.set_output(span, answer)
    """
    attrs: dict[str, Any] = {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": name,
        "gen_ai.request.model": model,
    }
    attrs.update(attributes or {})
    with start_span(f"invoke_agent {name}", kind=SpanKind.AGENT, attributes=attrs, input=input) as span:
        yield span


def traced_node(name: str, fn: F, *, record_state: bool = True) -> F:
    """Wrap a LangGraph node function so each call is a CHAIN span named `name`.

    The wrapper keeps `fn`'s signature (LangGraph inspects it to pass ``config``, ``store`` ...), works for
    sync and async nodes, records the input state and the returned update as ``input.value`` /
    ``output.value`` (unless `record_state` is False), and records exceptions on the span.

        builder.add_node("plan", traced_node("plan", plan))
    """
    attributes = _spans.span_attributes(SpanKind.CHAIN, {"graph.node.id": name})  # OpenInference's node id

    if inspect.iscoroutinefunction(fn):

        @functools.wraps(fn)
        async def async_node(*args: Any, **kwargs: Any) -> Any:
            state = args[0] if record_state and args else None
            with SpanScope(name, SpanKind.CHAIN, None, attributes, state) as span:
                result = await fn(*args, **kwargs)
                if record_state:
                    _spans.set_output(span, result)
                return result

        return cast(F, async_node)

    # The wrappers open their span with `SpanScope` itself rather than through `start_span` (one call
    # less on every step of every graph).
    @functools.wraps(fn)
    def node(*args: Any, **kwargs: Any) -> Any:
        state = args[0] if record_state and args else None
        with SpanScope(name, SpanKind.CHAIN, None, attributes, state) as span:
            result = fn(*args, **kwargs)
            if record_state:
                _spans.set_output(span, result)
            return result

    return cast(F, node)


def set_image(span: Span, key: str, image: str | Path | bytes, *, mime_type: str = "image/png") -> None:
    """Attach an image to `span` for the viewer: a file path (kept as a reference) or encoded bytes.

    Bytes become a ``data:`` URL when they fit within the attribute bound; a larger image should be
    written to a file and passed as its path (the viewer serves only files that spans reference).
    """
    if not span.is_recording():
        return
    attribute = IMAGE_ATTRIBUTE_PREFIX + key
    if isinstance(image, bytes):
        url = f"data:{mime_type};base64," + base64.b64encode(image).decode("ascii")
        if len(url) > _spans.MAX_ATTRIBUTE_CHARS:
            span.set_attribute(attribute + ".omitted", f"{len(image)} bytes: larger than the attribute bound")
            return
        span.set_attribute(attribute, url)
    else:
        span.set_attribute(attribute, str(Path(image).resolve()))
