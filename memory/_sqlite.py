"""SQLite (WAL) persistence for memory items; vectors are kept as blobs so the index can be rebuilt."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

__all__ = ["ItemRow", "SqliteItems"]

# (namespace json, key, value json, text, timestamp, metadata json, created, updated, vector blob)
ItemRow = tuple[str, str, str, str | None, float | None, str, float, float, bytes | None]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    text TEXT,
    timestamp REAL,
    metadata TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    vector BLOB,
    UNIQUE (namespace, key)
);
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


class SqliteItems:
    """The durable half of a `MemoryStore`: one transaction per write batch, bumping a generation number."""

    def __init__(self, path: Path) -> None:
        self.path = path
        # check_same_thread=False: the store serialises access with its own lock.
        self.conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.executescript(_SCHEMA)

    def get_meta(self, name: str) -> str | None:
        """A metadata value (generation, dim, embedder)."""
        row = self.conn.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: Any) -> None:
        """Set a metadata value outside a write batch."""
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, str(value)))

    @property
    def generation(self) -> int:
        """Number of committed write batches."""
        return int(self.get_meta("generation") or 0)

    def write(self, upserts: Iterable[ItemRow], deletes: Iterable[tuple[str, str]]) -> int:
        """Apply one batch atomically; returns the new generation."""
        cur = self.conn.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.executemany("DELETE FROM items WHERE namespace = ? AND key = ?", list(deletes))
            cur.executemany(
                "INSERT INTO items (namespace, key, value, text, timestamp, metadata, created, updated, vector) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (namespace, key) DO UPDATE SET "
                "value = excluded.value, text = excluded.text, timestamp = excluded.timestamp, "
                "metadata = excluded.metadata, updated = excluded.updated, vector = excluded.vector",
                list(upserts),
            )
            generation = self.generation + 1
            cur.execute("INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(generation),))
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return generation

    def rows(self) -> Iterator[tuple[int, ItemRow]]:
        """Every item as (id, row), in id order."""
        for row in self.conn.execute(
            "SELECT id, namespace, key, value, text, timestamp, metadata, created, updated, vector FROM items ORDER BY id"
        ):
            yield int(row[0]), tuple(row[1:])  # type: ignore[misc]

    def close(self) -> None:
        """Checkpoint the WAL and close."""
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            self.conn.close()


def dumps(value: Any, field: str) -> str:
    """JSON-encode `value`, raising a ValueError that names `field` when it is not JSON-serialisable."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{field}: value is not JSON-serialisable ({error})") from error
