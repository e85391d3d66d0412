"""Item records, search hits and the per-vid filter columns of a `MemoryStore`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from langgraph.store.base import SearchItem

__all__ = ["Columns", "MemoryHit", "Record"]


@dataclass(slots=True)
class Record:
    """One stored item (the in-memory mirror of a SQLite row)."""

    namespace: tuple[str, ...]
    key: str
    value: dict[str, Any]
    text: str | None
    timestamp: float | None
    metadata: dict[str, Any]
    created: datetime
    updated: datetime
    #: Position in the vector index, -1 when the item has no vector.
    vid: int = -1


class MemoryHit(SearchItem):
    """A LangGraph `SearchItem` that also carries the indexed text, event time and metadata."""

    __slots__ = ("metadata", "text", "timestamp")

    def __init__(self, record: Record, score: float | None) -> None:
        super().__init__(record.namespace, record.key, record.value, record.created, record.updated, score)
        #: The text that was indexed (None for items stored without text).
        self.text = record.text
        #: Event time of the memory (separate from created/updated), UTC, or None.
        self.timestamp = None if record.timestamp is None else datetime.fromtimestamp(record.timestamp, UTC)
        #: Free-form metadata given at `add` time (filterable with `where=`).
        self.metadata = record.metadata

    @classmethod
    def of(cls, record: Record, score: float | None) -> MemoryHit:
        """Fast constructor for the search hot path (skips Item's string-to-datetime coercion)."""
        hit = cls.__new__(cls)
        hit.value, hit.key, hit.namespace = record.value, record.key, record.namespace
        hit.created_at, hit.updated_at, hit.score = record.created, record.updated, score
        hit.text, hit.metadata = record.text, record.metadata
        hit.timestamp = None if record.timestamp is None else datetime.fromtimestamp(record.timestamp, UTC)
        return hit

    def dict(self) -> dict[str, Any]:
        """JSON-friendly form (adds text, timestamp and metadata to SearchItem's)."""
        out = super().dict()
        out.update(
            text=self.text,
            timestamp=None if self.timestamp is None else self.timestamp.isoformat(),
            metadata=self.metadata,
        )
        return out


class Columns:
    """Per-vid arrays used to build filter masks without touching Python objects."""

    def __init__(self) -> None:
        self.ns = np.zeros(0, dtype=np.int32)
        self.ts = np.zeros(0, dtype=np.float64)
        self.records: list[Record | None] = []

    def append(self, records: list[Record], ns_ids: list[int]) -> None:
        """Append columns for new vids (in vid order)."""
        start, n = len(self.records), len(records)
        if start + n > len(self.ns):
            cap = max(start + n, 2 * len(self.ns), 1024)
            ns = np.zeros(cap, dtype=np.int32)
            ns[:start] = self.ns[:start]
            ts = np.full(cap, np.nan)
            ts[:start] = self.ts[:start]
            self.ns, self.ts = ns, ts
        self.ns[start : start + n] = ns_ids
        self.ts[start : start + n] = [
            np.nan if r is None or r.timestamp is None else r.timestamp for r in records
        ]
        self.records.extend(records)

    def kill(self, vid: int) -> None:
        """Forget the record at `vid` (its vector is tombstoned/removed by the index)."""
        self.records[vid] = None

    def remap(self, keep: np.ndarray) -> None:
        """Follow `VectorIndex.rebuild()`: new vid i is old vid keep[i]."""
        self.ns = self.ns[keep].copy()
        self.ts = self.ts[keep].copy()
        records = [self.records[int(o)] for o in keep]
        for vid, record in enumerate(records):
            if record is not None:
                record.vid = vid
        self.records = records
