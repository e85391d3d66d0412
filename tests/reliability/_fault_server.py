"""An OpenAI-compatible server on loopback that answers with scripted faults, for model-fault tests."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route


@dataclass
class Reply:
    """One scripted answer: a status code, and either tool calls, text content or a raw body."""

    status: int = 200
    tool_calls: list[tuple[str, str]] = field(default_factory=list)  # (name, raw JSON arguments)
    content: str | None = None
    raw_body: str | None = None
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FaultServer:
    """Serves `replies` in order (the last one repeats) and records every request body."""

    replies: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def script(self, *replies: Reply) -> None:
        self.replies.clear()
        self.replies.extend(replies)
        self.requests.clear()

    def _next(self) -> Reply:
        return self.replies.popleft() if len(self.replies) > 1 else self.replies[0]

    async def chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(body)
        reply = self._next()
        if reply.delay:
            await asyncio.sleep(reply.delay)
        if reply.raw_body is not None:
            return Response(
                reply.raw_body, status_code=reply.status, media_type="application/json", headers=reply.headers
            )
        if reply.status != 200:
            error = {
                "error": {"message": f"scripted {reply.status}", "type": "server_error", "code": reply.status}
            }
            return JSONResponse(error, status_code=reply.status, headers=reply.headers)
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.tool_calls:
            message["tool_calls"] = [
                {"id": f"call_{i}", "type": "function", "function": {"name": name, "arguments": arguments}}
                for i, (name, arguments) in enumerate(reply.tool_calls)
            ]
        return JSONResponse(
            {
                "id": "chatcmpl-fault",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fault"),
                "choices": [
                    {
                        "index": 0,
                        "message": message,
                        "finish_reason": "tool_calls" if reply.tool_calls else "stop",
                    }
                ],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fault_server() -> Iterator[FaultServer]:
    """Run a `FaultServer` on a free loopback port for the duration of the block."""
    state = FaultServer()
    app = Starlette(routes=[Route("/v1/chat/completions", state.chat, methods=["POST"])])
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 20
    while not server.started and time.time() < deadline:
        time.sleep(0.02)
    state.url = f"http://127.0.0.1:{port}/v1"
    try:
        yield state
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def tool_args(**kwargs: Any) -> str:
    return json.dumps(kwargs)
