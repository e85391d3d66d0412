"""`model(spec)`: a string names a model; the result is a pydantic-ai `Model`."""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic_ai.models import Model

if TYPE_CHECKING:
    from pydantic_ai.models.openai import OpenAIChatModel

from ._files import bundled_gguf, resolve_local_path
from ._local import LocalModel, _render

__all__ = ["DEFAULT_MODEL", "count_tokens", "model", "scripted"]

DEFAULT_MODEL = "local"
_lock = threading.Lock()
_SPECS = "'local', 'local:PATH', 'openai:MODEL@BASE_URL' or 'scripted'"


def model(spec: str | Model | None = None) -> Model:
    """Turn a model spec into a pydantic-ai `Model` (one instance per spec per process).

    - ``local`` (default; env ``GOALGRAPH_MODEL`` overrides): SmolLM2-135M-Instruct embedded, CPU/CUDA,
      outputs constrained to the requested JSON schema;
    - ``local:PATH``: another GGUF file or Hugging Face model directory;
    - ``openai:MODEL@BASE_URL``: an OpenAI-compatible server (vLLM, Ollama, llama.cpp, `goalgraph llm serve`);
    - ``scripted``: pydantic-ai's `TestModel`, for deterministic tests.

    A `Model` instance passes through unchanged.
    """
    if isinstance(spec, Model):
        return spec
    spec = (spec or os.environ.get("GOALGRAPH_MODEL") or DEFAULT_MODEL).strip()
    with _lock:
        return _cached(spec)


@functools.cache
def _cached(spec: str) -> Model:
    kind, _, rest = spec.partition(":")
    if kind == "local":
        return LocalModel(resolve_local_path(rest) if rest else bundled_gguf())
    if kind == "openai":
        return _openai(rest, spec)
    if kind == "scripted" and not rest:
        from pydantic_ai.models.test import TestModel

        return TestModel()
    raise ValueError(f"unknown model spec {spec!r}: expected {_SPECS}")


#: Seconds one request to an OpenAI-compatible server may take (env ``GOALGRAPH_LLM_TIMEOUT``): generous
#: for a CPU server under load, yet bounded (the OpenAI client's own default is 10 minutes).
DEFAULT_TIMEOUT_S = 300.0
#: Retries of a failed request (HTTP 408/409/429/5xx, connection errors; env ``GOALGRAPH_LLM_RETRIES``).
DEFAULT_RETRIES = 2


def _env_number(name: str, default: float, *, low: float) -> float:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None
    if value < low:
        raise ValueError(f"{name}={raw!r} must be at least {low:g}")
    return value


def _openai(rest: str, spec: str) -> Model:
    name, at, base_url = rest.rpartition("@")
    if not at or not name or not base_url.startswith(("http://", "https://")):
        raise ValueError(f"model spec {spec!r} must look like 'openai:MODEL@http://host:port/v1'")
    from openai import AsyncOpenAI, DefaultAsyncHttpxClient
    from openai._constants import DEFAULT_CONNECTION_LIMITS
    from pydantic_ai.providers.openai import OpenAIProvider

    from ._http import PerLoopTransport

    # The OpenAI client waits 10 minutes per request by default: a server that hangs would hang the
    # agent. Bounded here; 429/5xx are retried with the client's backoff (honouring Retry-After).
    client = AsyncOpenAI(
        base_url=base_url,
        api_key=os.environ.get("OPENAI_API_KEY") or "not-needed",
        timeout=_env_number("GOALGRAPH_LLM_TIMEOUT", DEFAULT_TIMEOUT_S, low=0.01),
        max_retries=int(_env_number("GOALGRAPH_LLM_RETRIES", DEFAULT_RETRIES, low=0)),
        http_client=DefaultAsyncHttpxClient(transport=PerLoopTransport(limits=DEFAULT_CONNECTION_LIMITS)),
    )
    return _openai_chat_class()(name, provider=OpenAIProvider(openai_client=client))


@functools.cache
def _openai_chat_class() -> type[OpenAIChatModel]:
    from pydantic_ai.exceptions import UnexpectedModelBehavior
    from pydantic_ai.models.openai import OpenAIChatModel

    class GuardedOpenAIChatModel(OpenAIChatModel):
        """`OpenAIChatModel` that turns a completion without choices into a typed failure.

        pydantic-ai 2.68 indexes ``choices[0]`` unchecked and raises a bare IndexError on the
        ``{"choices": []}`` some gateways send (pydantic/pydantic-ai#7909); the documented hook
        `_validate_completion` is where subclasses add such checks.
        """

        def _validate_completion(self, response: Any) -> Any:
            validated = super()._validate_completion(response)
            if not validated.choices:
                raise UnexpectedModelBehavior(
                    f"Invalid response from {self.system} chat completions endpoint: no choices"
                )
            return validated

    return GuardedOpenAIChatModel


def scripted(replies: Sequence[Any] | Callable[..., Any] | None = None) -> Model:
    """A deterministic model for tests: `TestModel` (no argument), a function, or replies in order.

    With a sequence, each item answers one request: a `str` is a text reply, a `dict` the arguments of
    a call to the first output tool (the typed result), a `(tool_name, args)` pair a tool call.
    """
    from pydantic_ai.messages import ModelResponse, TextPart, ToolCallPart
    from pydantic_ai.models.function import FunctionModel
    from pydantic_ai.models.test import TestModel

    if replies is None:
        return TestModel()
    if callable(replies):
        return FunctionModel(replies)
    queue = list(replies)

    def respond(messages: Any, info: Any) -> ModelResponse:
        if not queue:
            raise RuntimeError("the scripted model ran out of replies")
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(reply, str):
            return ModelResponse(parts=[TextPart(reply)])
        if isinstance(reply, tuple):
            return ModelResponse(parts=[ToolCallPart(reply[0], reply[1])])
        tool = info.output_tools[0].name if info.output_tools else "final_result"
        return ModelResponse(parts=[ToolCallPart(tool, reply)])

    return FunctionModel(respond)


def count_tokens(spec: str | Model | None, content: str | Sequence[Any]) -> int:
    """Tokens of `content` for a model, to measure context in the model's own units.

    `content` is a text, a chat (``[{"role": ..., "content": ...}]``) or pydantic-ai messages; a chat
    or messages count as the local model would see them (chat template included). Models other than
    the local one get a 4-characters-per-token estimate.
    """
    resolved = model(spec)
    if isinstance(resolved, LocalModel):
        engine = resolved.engine
        if isinstance(content, str):
            return engine.count_tokens(content)
        return int(engine.chat_ids(_as_chat(content, resolved)).shape[1])
    text = content if isinstance(content, str) else json.dumps(_as_chat(content, None), ensure_ascii=False)
    return max(1, len(text) // 4)


def _as_chat(content: Sequence[Any], local: LocalModel | None) -> list[dict[str, str]]:
    from pydantic_ai.messages import ModelRequest, ModelResponse

    if all(isinstance(item, ModelRequest | ModelResponse) for item in content):
        limit = local.local_settings.max_tool_result_chars if local else 10**9
        return _render(list(content), None, "", limit)
    chat = []
    for index, item in enumerate(content):
        if not isinstance(item, dict) or "content" not in item:
            raise TypeError(
                f"count_tokens: item {index} is {type(item).__name__}; expected a str, chat dicts "
                "with 'role'/'content', or pydantic-ai messages"
            )
        chat.append({"role": str(item.get("role", "user")), "content": str(item["content"])})
    return chat


def local_source(spec: str) -> Path:
    """The file behind a `local[:PATH]` spec (raises a clear error when missing)."""
    _, _, rest = spec.partition(":")
    return resolve_local_path(rest) if rest else bundled_gguf()
