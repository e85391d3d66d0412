"""`remember` / `recall` typed tools bound to a `MemoryStore` namespace."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from goalgraph.tools import Tool, tool

from ._store import MemoryStore

__all__ = ["Memory", "Recalled", "Remembered", "memory_tools"]


class Remembered(BaseModel):
    """Acknowledgement of a stored memory."""

    key: str = Field(description="Key of the stored memory (use it to update or delete it).")


class Memory(BaseModel):
    """One recalled memory."""

    key: str = Field(description="Key of the memory.")
    text: str | None = Field(description="The remembered text.")
    timestamp: datetime | None = Field(default=None, description="When the remembered event happened.")
    metadata: dict[str, Any] = Field(default_factory=dict, description="Metadata given when it was stored.")
    score: float | None = Field(default=None, description="Relevance score (higher is better).")


class Recalled(BaseModel):
    """Memories relevant to a query, best first."""

    memories: list[Memory] = Field(description="Recalled memories, best first.")


def memory_tools(store: MemoryStore, namespace: Sequence[str] = ("memories",)) -> list[Tool[Any, Any]]:
    """`[remember, recall]` tools that write to / search `namespace` of `store`."""
    ns = tuple(namespace)

    @tool(tags={"memory"})
    def remember(
        text: str,
        timestamp: datetime | None = None,
        metadata: dict[str, Any] | None = None,
        key: str | None = None,
    ) -> Remembered:
        """Store a memory for later recall.

        Args:
            text: What to remember, as a self-contained sentence.
            timestamp: When the remembered event happened (ISO 8601), if known.
            metadata: Extra fields to filter on later.
            key: Key to overwrite an existing memory; a new one is made when omitted.
        """
        return Remembered(key=store.add(ns, key, text=text, timestamp=timestamp, metadata=metadata))

    @tool(tags={"memory"}, rerunnable=True)
    def recall(
        query: str,
        k: int = 5,
        start: datetime | None = None,
        end: datetime | None = None,
        mode: Literal["dense", "lexical", "hybrid"] = "hybrid",
    ) -> Recalled:
        """Find stored memories relevant to a query, optionally within a time window.

        Args:
            query: What to look for.
            k: How many memories to return.
            start: Only memories at or after this time.
            end: Only memories at or before this time.
            mode: dense (semantic), lexical (BM25 keywords) or hybrid (both, fused).
        """
        window = (start, end) if start is not None or end is not None else None
        hits = store.query(query, namespace=ns, mode=mode, k=k, time_range=window)
        return Recalled(
            memories=[
                Memory(key=h.key, text=h.text, timestamp=h.timestamp, metadata=h.metadata, score=h.score)
                for h in hits
            ]
        )

    return [remember, recall]
