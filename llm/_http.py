"""An HTTP transport for OpenAI-compatible servers that works from any number of event loops.

httpx connection pools are bound to the event loop that opened their sockets. `model(spec)` returns one
`Model` per spec per process, so the same client is used by every `asyncio.run` / `run_sync` a program
makes; a kept-alive connection from a closed loop then fails with "Event loop is closed". Neither
httpx nor the OpenAI client offers a per-loop pool, hence this small wrapper.
"""

from __future__ import annotations

import asyncio
import weakref
from typing import Any

import httpx2

__all__ = ["PerLoopTransport"]


class PerLoopTransport(httpx2.AsyncBaseTransport):
    """One `httpx2.AsyncHTTPTransport` (connection pool) per running event loop."""

    def __init__(self, **transport_options: Any) -> None:
        self._options = transport_options
        self._pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, httpx2.AsyncHTTPTransport] = (
            weakref.WeakKeyDictionary()
        )

    def _pool(self) -> httpx2.AsyncHTTPTransport:
        loop = asyncio.get_running_loop()
        pool = self._pools.get(loop)
        if pool is None:
            pool = self._pools[loop] = httpx2.AsyncHTTPTransport(**self._options)
        return pool

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send the request through the current loop's pool."""
        return await self._pool().handle_async_request(request)

    async def aclose(self) -> None:
        """Close the current loop's pool (pools of finished loops go with their loop)."""
        pool = self._pools.pop(asyncio.get_running_loop(), None)
        if pool is not None:
            await pool.aclose()
