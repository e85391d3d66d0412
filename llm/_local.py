"""The embedded model as a pydantic-ai model: chat rendering, grammar choice, and parsing back to parts.

Every structured reply is decoded under an xgrammar JSON-schema constraint: with tools on offer the
schema is the union of "call tool T with arguments valid for T" over the function tools and output
tools (plus "answer in text" when text output is allowed), so a typed output always validates.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.profiles import ModelProfile
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import RequestUsage

from ._engine import ContinuationScore, LocalEngine, load_engine

__all__ = ["LocalModel", "LocalSettings"]

#: Name of the pseudo-tool that carries a plain-text answer when tools are also on offer.
TEXT_ANSWER = "answer"


@dataclass(frozen=True)
class LocalSettings:
    """Defaults for the embedded model (each request's `ModelSettings` override them)."""

    max_tokens: int = 256
    """Most tokens one reply may generate."""
    temperature: float = 0.0
    """0 decodes greedily (deterministic)."""
    max_tool_result_chars: int = 2000
    """Tool results longer than this are cut before they reach the model's small context."""


class LocalModel(FunctionModel):
    """SmolLM2-135M-Instruct (or another local model) behind pydantic-ai, decoding under JSON-schema grammars."""

    supports_images = False
    """The embedded model is text-only; vision steps send text features instead."""

    def __init__(
        self, source: Path, settings: LocalSettings | None = None, *, engine: LocalEngine | None = None
    ) -> None:
        self.source = source
        self.local_settings = settings or LocalSettings()
        self._engine = engine
        super().__init__(
            self._respond,
            model_name=f"local:{source.stem}",
            profile=ModelProfile(supports_json_schema_output=True, supports_json_object_output=True),
        )

    @property
    def engine(self) -> LocalEngine:
        """The loaded engine (loads on first use; shared per process)."""
        if self._engine is None:
            self._engine = load_engine(self.source)
        return self._engine

    async def score(
        self, instructions: str, prompt: str, continuations: list[str]
    ) -> list[ContinuationScore]:
        """How likely the model finds each continuation as its reply to `prompt` under `instructions`.

        scores = await model.score("Answer briefly.", "Capital of France?", ["Paris", "Lyon"])
        best = max(range(2), key=lambda i: scores[i].mean)      # 0: Paris
        """
        chat = [{"role": "system", "content": instructions}, {"role": "user", "content": prompt}]
        return await asyncio.to_thread(self.engine.score, chat, list(continuations))

    @property
    def system(self) -> str:
        """The provider name used in traces (`gen_ai.system`)."""
        return "goalgraph-local"

    async def _respond(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        settings: dict[str, Any] = dict(info.model_settings or {})
        max_tokens = int(settings.get("max_tokens") or self.local_settings.max_tokens)
        temperature = float(settings.get("temperature") or self.local_settings.temperature)
        seed = settings.get("seed")
        params = info.model_request_parameters
        tools = [*info.function_tools, *info.output_tools]
        # Native/prompted structured output arrives as JSON text for `output_object`; plain text is
        # only an option when the agent accepts text and offers no output tool.
        text_schema: dict[str, Any] | None = None
        if params.output_object is not None and params.output_mode in ("native", "prompted"):
            text_schema = dict(params.output_object.json_schema)
        elif info.allow_text_output and not info.output_tools:
            text_schema = {"type": "string"}
        schema: dict[str, Any] | None
        if tools:
            schema = _tool_union_schema(tools, text_schema=text_schema)
            system = _tool_instructions(tools, text_schema=text_schema)
        elif text_schema is not None and text_schema != {"type": "string"}:
            schema = text_schema
            system = "Reply with one JSON object matching this schema: " + json.dumps(schema)
        else:
            schema, system = None, ""
        chat = _render(messages, info.instructions, system, self.local_settings.max_tool_result_chars)
        if info.output_tools:
            called = {
                part.tool_name
                for message in messages
                if isinstance(message, ModelResponse)
                for part in message.parts
                if isinstance(part, ToolCallPart)
            }
            pending = [t.name for t in info.function_tools if t.name not in called]
            nudge_after_tool_result(chat, pending, info.output_tools[0].name)
        engine = self.engine
        generation = await asyncio.to_thread(
            engine.generate,
            chat,
            schema=schema,
            max_new_tokens=max_tokens,
            temperature=temperature,
            seed=seed,
        )
        usage = RequestUsage(
            input_tokens=generation.input_tokens,
            output_tokens=generation.output_tokens,
            cache_read_tokens=generation.cached_tokens,
        )
        return ModelResponse(parts=_parse(generation.text, tools), usage=usage, model_name=self.model_name)


def nudge_after_tool_result(chat: list[dict[str, str]], pending: list[str], finish: str) -> None:
    """After a tool result, say plainly how to finish (`finish`) and which tools are still uncalled.

    Small models tend to call the same tool again, or to skip a planned second tool.
    """
    if not chat or not chat[-1]["content"].startswith("Result of "):
        return
    nudge = f"If a step is still missing, call {' or '.join(pending)}. " if pending else ""
    chat[-1]["content"] += f'\n{nudge}If this answers the question, reply with {{"tool": "{finish}", ...}}.'


def _tool_union_schema(tools: list[ToolDefinition], *, text_schema: dict[str, Any] | None) -> dict[str, Any]:
    """The grammar's schema: one `{"tool": NAME, "arguments": ARGS}` option per tool (and per text answer)."""
    # `$ref`s inside a tool's schema point at its root `$defs`; nested under "arguments" they must
    # resolve against the union's root instead, so the definitions move up.
    definitions: dict[str, Any] = {}
    options: list[dict[str, Any]] = []
    named = [(tool.name, dict(tool.parameters_json_schema)) for tool in tools]
    if text_schema is not None:
        named.append((TEXT_ANSWER, dict(text_schema)))
    for name, arguments in named:
        definitions.update(arguments.pop("$defs", {}))
        options.append(
            {
                "type": "object",
                "properties": {"tool": {"const": name}, "arguments": arguments},
                "required": ["tool", "arguments"],
                "additionalProperties": False,
            }
        )
    union: dict[str, Any] = dict(options[0]) if len(options) == 1 else {"anyOf": options}
    if definitions:
        union["$defs"] = definitions
    return union


def _tool_instructions(tools: list[ToolDefinition], *, text_schema: dict[str, Any] | None) -> str:
    lines = ['Reply with one JSON object {"tool": NAME, "arguments": {...}}. Tools:']
    for tool in tools:
        properties = tool.parameters_json_schema.get("properties", {})
        lines.append(f"- {tool.name}({', '.join(properties)}): {tool.description or ''}".rstrip())
    if text_schema == {"type": "string"}:
        lines.append(
            f'- {TEXT_ANSWER}: the final answer as text, {{"tool": "{TEXT_ANSWER}", "arguments": "..."}}'
        )
    elif text_schema is not None:
        lines.append(f"- {TEXT_ANSWER}: the final answer, arguments matching {json.dumps(text_schema)}")
    return "\n".join(lines)


def _render(
    messages: list[ModelMessage], instructions: str | None, system: str, limit: int
) -> list[dict[str, str]]:
    system_parts = [p for p in (instructions, system) if p]
    chat: list[dict[str, str]] = []
    for message in messages:
        if isinstance(message, ModelRequest):
            for part in message.parts:
                if isinstance(part, SystemPromptPart):
                    system_parts.insert(0, part.content)
                elif isinstance(part, UserPromptPart):
                    content = part.content if isinstance(part.content, str) else _text_of(part.content)
                    chat.append({"role": "user", "content": content})
                elif isinstance(part, ToolReturnPart):
                    result = part.model_response_str()
                    if len(result) > limit:
                        result = result[:limit] + " …"
                    chat.append({"role": "user", "content": f"Result of {part.tool_name}: {result}"})
                elif isinstance(part, RetryPromptPart):
                    chat.append({"role": "user", "content": part.model_response()})
        elif isinstance(message, ModelResponse):
            for response_part in message.parts:
                if isinstance(response_part, TextPart):
                    chat.append({"role": "assistant", "content": response_part.content})
                elif isinstance(response_part, ToolCallPart):
                    call = {"tool": response_part.tool_name, "arguments": response_part.args_as_dict()}
                    chat.append({"role": "assistant", "content": json.dumps(call)})
    if system_parts:
        chat.insert(0, {"role": "system", "content": "\n\n".join(system_parts)})
    return chat


def _text_of(content: Any) -> str:
    return " ".join(item if isinstance(item, str) else f"[{type(item).__name__}]" for item in content)


def _parse(text: str, tools: list[ToolDefinition]) -> list[Any]:
    if not tools:
        return [TextPart(content=text)]
    try:
        call = json.loads(text)
    except json.JSONDecodeError:
        # Only when generation hit its token budget mid-object; pydantic-ai retries with the error.
        return [TextPart(content=text)]
    name, arguments = call.get("tool"), call.get("arguments")
    if name == TEXT_ANSWER:
        # A string is a text reply; an object is native/prompted structured output, sent as JSON text.
        return [TextPart(content=arguments if isinstance(arguments, str) else json.dumps(arguments))]
    return [ToolCallPart(tool_name=str(name), args=arguments, tool_call_id=f"call_{uuid.uuid4().hex[:12]}")]
