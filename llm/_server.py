"""An OpenAI-compatible HTTP API over the embedded model, so several processes share one loaded copy.

Routes: ``GET /v1/models`` and ``POST /v1/chat/completions`` (non-streaming) with ``response_format``
``{"type": "json_schema", ...}`` / ``{"type": "json_object"}`` and ``tools`` / ``tool_choice``.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ._local import TEXT_ANSWER, LocalModel, nudge_after_tool_result

__all__ = ["create_app"]


def _error(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    return JSONResponse({"error": {"message": message, "type": kind}}, status_code=status)


def _flatten(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return " ".join(str(item.get("text", "")) for item in content if isinstance(item, dict))
    return "" if content is None else str(content)


def _chat(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    chat = []
    for message in messages:
        role = message.get("role")
        if role == "tool":
            chat.append(
                {
                    "role": "user",
                    "content": f"Result of {message.get('name') or 'tool'}: {_flatten(message.get('content'))}",
                }
            )
        elif role == "assistant" and message.get("tool_calls"):
            for call in message["tool_calls"]:
                function = call.get("function", {})
                arguments = function.get("arguments") or "{}"
                chat.append(
                    {
                        "role": "assistant",
                        "content": json.dumps(
                            {"tool": function.get("name"), "arguments": json.loads(arguments)}
                        ),
                    }
                )
        elif role in ("system", "developer"):
            chat.append({"role": "system", "content": _flatten(message.get("content"))})
        else:
            chat.append(
                {
                    "role": "assistant" if role == "assistant" else "user",
                    "content": _flatten(message.get("content")),
                }
            )
    return chat


def _one_system_message(chat: list[dict[str, str]], instructions: str) -> list[dict[str, str]]:
    """All system text in one leading message, the client's first and then `instructions`.

    That is how `LocalModel` renders a request; a small model reads two system turns differently from one
    (it even spells its JSON in more, shorter tokens), so the served model would not answer like the
    embedded one.
    """
    system = [m["content"] for m in chat if m["role"] == "system" and m["content"]]
    if instructions:
        system.append(instructions)
    rest = [m for m in chat if m["role"] != "system"]
    return [{"role": "system", "content": "\n\n".join(system)}, *rest] if system else rest


def _nudge_like_local(chat: list[dict[str, str]], messages: list[dict[str, Any]], tools: list[Any]) -> None:
    """The embedded model's hint after a tool result, when the client marks a tool as its final answer.

    OpenAI's API does not say which tool ends a run; pydantic-ai names its output tools ``final_result*``
    (the only client convention there is), so those are the finishers and the others are function tools.
    """
    names = [t.get("function", {}).get("name", "") for t in tools if isinstance(t, dict)]
    finishers = [n for n in names if n.startswith("final_result")]
    if not finishers:
        return
    called = {
        call.get("function", {}).get("name")
        for message in messages
        if isinstance(message, dict) and message.get("role") == "assistant"
        for call in message.get("tool_calls") or []
        if isinstance(call, dict)
    }
    pending = [n for n in names if n not in finishers and n not in called]
    nudge_after_tool_result(chat, pending, finishers[0])


def _tool_schema(
    tools: list[dict[str, Any]], tool_choice: Any, answer_schema: dict[str, Any] | None
) -> tuple[dict[str, Any], str]:
    from pydantic_ai.tools import ToolDefinition

    from ._local import _tool_instructions, _tool_union_schema

    definitions = [
        ToolDefinition(
            name=t["function"]["name"],
            description=t["function"].get("description"),
            parameters_json_schema=t["function"].get("parameters") or {"type": "object", "properties": {}},
        )
        for t in tools
        if t.get("type") == "function"
    ]
    if isinstance(tool_choice, dict):
        wanted = tool_choice.get("function", {}).get("name")
        definitions = [d for d in definitions if d.name == wanted] or definitions
    forced = tool_choice == "required" or isinstance(tool_choice, dict)
    text_schema = None if forced else (answer_schema or {"type": "string"})
    return _tool_union_schema(definitions, text_schema=text_schema), _tool_instructions(
        definitions, text_schema=text_schema
    )


def _answer_schema(response_format: Any) -> dict[str, Any] | None:
    """The JSON schema a `response_format` asks for (None: free text)."""
    if not isinstance(response_format, dict):
        return None
    if response_format.get("type") == "json_schema":
        return dict(response_format.get("json_schema", {}).get("schema") or {"type": "object"})
    if response_format.get("type") == "json_object":
        return {"type": "object"}
    return None


def create_app(model: LocalModel, *, served_name: str = "local") -> Starlette:
    """The Starlette app serving `model` under the model id `served_name`."""

    async def models(request: Request) -> JSONResponse:
        return JSONResponse(
            {"object": "list", "data": [{"id": served_name, "object": "model", "owned_by": "goalgraph"}]}
        )

    async def completions(request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except json.JSONDecodeError:
            return _error(400, "request body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("messages"), list) or not body["messages"]:
            return _error(400, "field 'messages' must be a non-empty list")
        if body.get("stream"):
            return _error(400, "streaming is not supported by this server; send stream=false")
        chat = _chat(body["messages"])
        schema = _answer_schema(body.get("response_format"))
        tools = body.get("tools") or []
        instructions = ""
        if tools and body.get("tool_choice") != "none":
            schema, instructions = _tool_schema(tools, body.get("tool_choice"), schema)
        chat = _one_system_message(chat, instructions)
        _nudge_like_local(chat, body["messages"], tools)
        max_tokens = int(
            body.get("max_completion_tokens") or body.get("max_tokens") or model.local_settings.max_tokens
        )
        try:
            generation = await asyncio.to_thread(
                model.engine.generate,
                chat,
                schema=schema,
                max_new_tokens=max_tokens,
                temperature=float(body.get("temperature") or 0.0),
                seed=body.get("seed"),
            )
        except Exception as error:  # a bad schema or a model failure is the client's answer, not a crash
            return _error(
                400 if isinstance(error, ValueError | RuntimeError) else 500,
                f"{type(error).__name__}: {error}",
            )
        message: dict[str, Any] = {"role": "assistant", "content": generation.text}
        finish = "stop" if generation.output_tokens < max_tokens else "length"
        if tools and schema is not None:
            try:
                call = json.loads(generation.text)
            except json.JSONDecodeError:
                call = None
            if isinstance(call, dict) and call.get("tool") == TEXT_ANSWER:
                answer = call.get("arguments")
                message["content"] = answer if isinstance(answer, str) else json.dumps(answer)
            elif isinstance(call, dict):
                message = {
                    "role": "assistant",
                    "content": None,
                    "tool_calls": [
                        {
                            "id": f"call_{uuid.uuid4().hex[:12]}",
                            "type": "function",
                            "function": {
                                "name": call.get("tool"),
                                "arguments": json.dumps(call.get("arguments")),
                            },
                        }
                    ],
                }
                finish = "tool_calls"
        return JSONResponse(
            {
                "id": f"chatcmpl-{uuid.uuid4().hex[:16]}",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": served_name,
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {
                    "prompt_tokens": generation.input_tokens,
                    "completion_tokens": generation.output_tokens,
                    "total_tokens": generation.input_tokens + generation.output_tokens,
                    "prompt_tokens_details": {"cached_tokens": generation.cached_tokens},
                },
            }
        )

    return Starlette(
        routes=[
            Route("/v1/models", models, methods=["GET"]),
            Route("/v1/chat/completions", completions, methods=["POST"]),
        ]
    )
