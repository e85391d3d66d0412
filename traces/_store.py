"""The local span store: one SQLite file (WAL) with a spans table, a traces table and FTS5 search.

store = TraceStore(".goalgraph/traces.db")
store.write(rows)                       # rows from `span_row` (finished) or running=True
store.list_runs(query="timeout")        # newest runs whose spans mention "timeout"
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic_core import PydanticSerializationError

from ._rows import int_or_none, search_text
from ._spans import encode_json
from ._summaries import RUN_FIELDS, SUMMARY_SCHEMA, SpanChange, SummaryBatch, recompute, sql_chunks

__all__ = ["RunNotFoundError", "TraceStore", "TraceStoreError"]

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS spans (
    -- Sequential (also the FTS rowid): a random key here, such as the span id, scatters every insert over
    -- the whole table b-tree and made each write several times slower once the store held 10k spans.
    id INTEGER PRIMARY KEY,
    span_key INTEGER NOT NULL UNIQUE, -- the 64-bit span id as a signed integer
    span_id TEXT NOT NULL,
    trace_id TEXT NOT NULL,
    parent_id TEXT,
    name TEXT NOT NULL,
    kind TEXT,                        -- OpenInference kind (AGENT, CHAIN, TOOL, LLM, ...)
    otel_kind TEXT,
    start_ns INTEGER NOT NULL,
    end_ns INTEGER,
    status TEXT NOT NULL,             -- RUNNING, UNSET, OK, ERROR
    status_message TEXT,
    agent TEXT,
    input_tokens INTEGER,
    output_tokens INTEGER,
    attributes TEXT NOT NULL,
    events TEXT NOT NULL,
    resource TEXT,
    scope TEXT
);
CREATE INDEX IF NOT EXISTS spans_trace ON spans(trace_id, start_ns);
CREATE INDEX IF NOT EXISTS spans_time ON spans(start_ns);
CREATE INDEX IF NOT EXISTS spans_name ON spans(name);
CREATE INDEX IF NOT EXISTS spans_kind ON spans(kind);
-- Contentless (the text lives in spans.attributes already) and without positions: searches are prefix
-- terms, never phrases, and this halves what each write adds to the index.
CREATE VIRTUAL TABLE IF NOT EXISTS spans_fts USING fts5(name, body, content='', detail=none);
"""
    + SUMMARY_SCHEMA
)

_SCHEMA_VERSION = 3  # 1: spans keyed by the span id itself; 2: run summaries recomputed per batch

_COLUMNS = (
    "id, span_key, span_id, trace_id, parent_id, name, kind, otel_kind, start_ns, end_ns, status, status_message, "
    "agent, input_tokens, output_tokens, attributes, events, resource, scope"
)
_UPDATE = ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS.split(", ")[2:])
_READ_COLUMNS = _COLUMNS.split(", ", 2)[2]  # what a span row holds, without the two keys
_UPSERT_SPANS = (
    f"INSERT INTO spans ({_COLUMNS}) VALUES {{values}} ON CONFLICT(span_key) DO UPDATE SET {_UPDATE}"
)
_INSERT_FTS = "INSERT INTO spans_fts (rowid, name, body) VALUES {values}"
# Rows per multi-row INSERT. sqlite3 releases the GIL while it steps a statement: with one statement per
# row (executemany), a batch written by the exporter's thread while the traced program runs must win the
# GIL back after every row; one statement per 64 rows runs on the other core for the whole chunk (5,000
# rows beside a busy thread: 111-131 ms against 141-185 ms).
_CHUNK_ROWS = 64
_WRITE_CHUNK = 256  # rows turned into records and inserted at a time within one write


def _insert_rows(
    connection: sqlite3.Connection, sql: str, width: int, rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows` (tuples of `width` values) with ``sql`` (``{values}`` marks the VALUES list):
    whole chunks in multi-row statements, the rest one statement per row (two statement texts in all,
    so both stay in sqlite3's statement cache)."""
    one = "(" + ", ".join("?" * width) + ")"
    whole = len(rows) - len(rows) % _CHUNK_ROWS
    if whole:
        chunk_sql = sql.format(values=", ".join([one] * _CHUNK_ROWS))
        for start in range(0, whole, _CHUNK_ROWS):
            connection.execute(
                chunk_sql, list(itertools.chain.from_iterable(rows[start : start + _CHUNK_ROWS]))
            )
    if whole < len(rows):
        connection.executemany(sql.format(values=one), rows[whole:])


class RunNotFoundError(LookupError):
    """No run in the store matches the given reference."""


class TraceStoreError(ValueError):
    """The path is not a usable trace store (a directory, another kind of file, a corrupt database)."""


def _signed(span_id: str) -> int:
    value = int(span_id, 16)
    return value - (1 << 64) if value >= (1 << 63) else value


def _encode(value: Any) -> str:
    try:
        return encode_json(value, str)
    except (TypeError, ValueError, PydanticSerializationError):  # e.g. bytes that are not UTF-8
        return json.dumps(value, ensure_ascii=False, default=str)


@contextlib.contextmanager
def _immediate(connection: sqlite3.Connection) -> Iterator[None]:
    """One write transaction (taking the write lock at once), rolled back on any error."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")


def _statements(script: str) -> list[str]:
    return [statement for statement in script.split(";") if statement.strip()]


def _fts_query(text: str) -> str | None:
    # User text → an FTS5 query of quoted prefix terms, so punctuation in it can never be FTS syntax.
    terms = re.findall(r"\w+", text, flags=re.UNICODE)
    return " ".join(f'"{t}"*' for t in terms) if terms else None


class TraceStore:
    """Reads and writes spans in one SQLite file; safe to share between threads (one connection each)."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise FileNotFoundError(f"trace store {self.path} does not exist")
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        if self.path.is_dir():
            raise TraceStoreError(f"{self.path}: is a directory, not a trace store file")
        try:
            connection = self._connect()
            if connection.execute("PRAGMA user_version").fetchone()[0] < _SCHEMA_VERSION:
                self._migrate(connection)
            connection.executescript(_SCHEMA)
        except sqlite3.DatabaseError as error:
            self.close()
            raise TraceStoreError(f"{self.path}: not a goalgraph trace store ({error})") from None

    def _migrate(self, connection: sqlite3.Connection) -> None:
        """Bring an older store to the current layout (a new file just gets its version number):
        version 1 keyed spans by span id; versions 1 and 2 kept run summaries without the columns that
        let a write update them incrementally."""
        with _immediate(connection):
            columns = {r[1] for r in connection.execute("PRAGMA table_info(spans)")}
            if columns and "span_key" not in columns:
                connection.execute("ALTER TABLE spans RENAME TO spans_v1")
                connection.execute("DROP TABLE IF EXISTS spans_fts")
                for statement in _statements(_SCHEMA):  # executescript would COMMIT the migration half-way
                    connection.execute(statement)
                connection.execute(
                    f"INSERT INTO spans ({_COLUMNS}) SELECT ROW_NUMBER() OVER (ORDER BY start_ns, id), id, "
                    f"{_READ_COLUMNS} FROM spans_v1"
                )
                connection.execute("DROP TABLE spans_v1")
                for statement in _statements(_SCHEMA):  # the indexes went with spans_v1
                    connection.execute(statement)
                fts = [
                    (
                        r["id"],
                        r["name"],
                        search_text(r["name"], json.loads(r["attributes"]), json.loads(r["events"])),
                    )
                    for r in connection.execute(
                        "SELECT id, name, attributes, events FROM spans WHERE status != 'RUNNING'"
                    )
                ]
                connection.executemany("INSERT INTO spans_fts (rowid, name, body) VALUES (?, ?, ?)", fts)
            if columns:  # the run summaries are derived data: rebuilt from the spans in the new layout
                connection.execute("DROP TABLE IF EXISTS traces")
                for statement in _statements(SUMMARY_SCHEMA):
                    connection.execute(statement)
                recompute(
                    connection, [r[0] for r in connection.execute("SELECT DISTINCT trace_id FROM spans")]
                )
            connection.execute(f"PRAGMA user_version = {_SCHEMA_VERSION}")

    # -- connections ---------------------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        connection: sqlite3.Connection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = sqlite3.connect(self.path, timeout=30, check_same_thread=False, isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            # NORMAL is durable across process crashes in WAL mode; only an OS crash can lose the last commits.
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA busy_timeout=30000")
            connection.row_factory = sqlite3.Row
            self._local.connection = connection
            with self._lock:
                self._connections.append(connection)
        return connection

    def close(self) -> None:
        """Close every connection this store opened."""
        with self._lock:
            for connection in self._connections:
                connection.close()
            self._connections.clear()
        self._local = threading.local()

    # -- writing -------------------------------------------------------------------------------------
    def write(self, rows: Iterable[Mapping[str, Any]], *, running: bool = False) -> None:
        """Upsert span rows in one transaction; ``running=True`` rows never overwrite a stored span.

        `rows` may be a generator (the exporter passes one): it is consumed `_WRITE_CHUNK` rows at a time,
        so a large batch never holds every row's intermediate records at once (they would all outlive
        several garbage-collector passes)."""
        pending = iter(rows)
        chunk = list(itertools.islice(pending, _WRITE_CHUNK))
        if not chunk:
            return
        connection = self._connect()
        with _immediate(connection):  # the write lock: the id lookups stay true until COMMIT
            next_id = int(connection.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM spans").fetchone()[0])
            summaries = SummaryBatch(connection)
            while chunk:
                next_id = self._write_chunk(connection, chunk, running, next_id, summaries)
                chunk = list(itertools.islice(pending, _WRITE_CHUNK))
            summaries.finish()

    def _write_chunk(
        self,
        connection: sqlite3.Connection,
        rows: list[Mapping[str, Any]],
        running: bool,
        next_id: int,
        summaries: SummaryBatch,
    ) -> int:
        """Write `rows` (earlier chunks of the batch are in the table already); return the next free id."""
        keys = [_signed(row["span_id"]) for row in rows]
        # span key -> (id, status, input tokens, output tokens, end, agent) of the spans already stored
        stored: dict[int, tuple[int, str, int | None, int | None, int | None, str | None]] = {}
        for chunk, marks in sql_chunks(keys):
            for key, *known in connection.execute(
                "SELECT span_key, id, status, input_tokens, output_tokens, end_ns, agent FROM spans "
                f"WHERE span_key IN ({marks})",
                chunk,
            ):
                stored[key] = tuple(known)  # type: ignore[assignment]
        repeated = len(set(keys)) < len(keys)
        records = []
        fts = []
        changes = []
        resources: dict[int, str] = {}  # rows of one batch share the process's resource dict
        for key, row in zip(keys, rows, strict=True):
            previous = stored.get(key)
            if previous is not None and running:
                continue  # a running row never replaces what is stored
            if previous is None:
                id_ = next_id
                next_id += 1
            else:
                id_ = previous[0]
            resource = row.get("resource") or {}
            resource_json = resources.get(id(resource))
            if resource_json is None:
                resource_json = resources[id(resource)] = json.dumps(
                    resource, ensure_ascii=False, default=str
                )
            attributes = row["attributes"]
            agent = attributes.get("gen_ai.agent.name")
            agent = agent if isinstance(agent, str) else None
            input_tokens = int_or_none(attributes.get("gen_ai.usage.input_tokens"))
            output_tokens = int_or_none(attributes.get("gen_ai.usage.output_tokens"))
            trace_id, span_id, name, status = row["trace_id"], row["span_id"], row["name"], row["status"]
            start_ns, end_ns, parent_id, events = (
                row["start_ns"],
                row["end_ns"],
                row["parent_id"],
                row["events"],
            )
            if repeated:  # a span written twice in one chunk: its second row replaces the first
                stored[key] = (id_, status, input_tokens, output_tokens, end_ns, agent)
            records.append(
                (
                    id_,
                    key,
                    span_id,
                    trace_id,
                    parent_id,
                    name,
                    row["kind"],
                    row["otel_kind"],
                    start_ns,
                    end_ns,
                    status,
                    row["status_message"],
                    agent,
                    input_tokens,
                    output_tokens,
                    _encode(attributes),
                    json.dumps(events, ensure_ascii=False, default=str) if events else "[]",
                    resource_json,
                    row.get("scope", ""),
                )
            )
            changes.append(
                SpanChange(
                    trace_id,
                    span_id,
                    parent_id,
                    name,
                    start_ns,
                    end_ns,
                    status,
                    agent,
                    input_tokens,
                    output_tokens,
                    None if previous is None else previous[1:],
                )
            )
            # A span is indexed once, when it is first stored finished; rewriting a finished span (an
            # import of the same run) keeps its terms (a contentless index cannot replace them cheaply).
            if not running and (previous is None or previous[1] == "RUNNING"):
                fts.append((id_, name, search_text(name, attributes, events)))
        if records:
            _insert_rows(connection, _UPSERT_SPANS, len(records[0]), records)
        if fts:
            _insert_rows(connection, _INSERT_FTS, 3, fts)
        summaries.add(changes)
        return next_id

    # -- reading -------------------------------------------------------------------------------------
    def list_runs(
        self,
        *,
        query: str | None = None,
        status: str | None = None,
        agent: str | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Runs (traces), newest first, optionally filtered by full-text `query`, `status` and `agent`."""
        where: list[str] = []
        params: list[Any] = []
        if query and query.strip():
            match = _fts_query(query)
            like = f"%{query.strip()}%"
            clause = "(t.name LIKE ? OR t.agent LIKE ? OR t.trace_id LIKE ?"
            params += [like, like, f"{query.strip().lower()}%"]
            if match:
                clause += (
                    " OR t.trace_id IN (SELECT s.trace_id FROM spans_fts f JOIN spans s ON s.id = f.rowid"
                    " WHERE spans_fts MATCH ?)"
                )
                params.append(match)
            where.append(clause + ")")
        if status:
            where.append("t.status = ?")
            params.append(status.upper())
        if agent:
            where.append("t.agent = ?")
            params.append(agent)
        sql = f"SELECT {RUN_FIELDS} FROM traces t"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY t.start_ns DESC LIMIT ? OFFSET ?"
        params += [max(0, int(limit)), max(0, int(offset))]
        return [self._run_dict(r) for r in self._connect().execute(sql, params)]

    def count_runs(self) -> int:
        """How many runs (traces) the store holds."""
        return int(self._connect().execute("SELECT COUNT(*) FROM traces").fetchone()[0])

    def resolve(self, ref: str) -> str:
        """A full trace id from a reference: ``last``, a full id, or a unique id prefix."""
        ref = ref.strip().lower()
        connection = self._connect()
        if ref in ("last", "latest"):
            row = connection.execute("SELECT trace_id FROM traces ORDER BY start_ns DESC LIMIT 1").fetchone()
            if row is None:
                raise RunNotFoundError("the trace store holds no runs yet")
            return str(row[0])
        if not re.fullmatch(r"[0-9a-f]{1,32}", ref):
            raise RunNotFoundError(f"run {ref!r} is not 'last' or a hexadecimal trace id (prefix)")
        rows = connection.execute(
            "SELECT trace_id FROM traces WHERE trace_id LIKE ? LIMIT 2", (ref + "%",)
        ).fetchall()
        if not rows:
            raise RunNotFoundError(f"no run with id {ref!r} in {self.path}")
        if len(rows) > 1:
            raise RunNotFoundError(f"run id prefix {ref!r} is ambiguous; give more characters")
        return str(rows[0][0])

    def run(self, ref: str) -> dict[str, Any]:
        """One run: its summary fields plus ``spans`` (every span, ordered by start time)."""
        trace_id = self.resolve(ref)
        connection = self._connect()
        row = connection.execute(
            f"SELECT {RUN_FIELDS} FROM traces WHERE trace_id = ?", (trace_id,)
        ).fetchone()
        run = self._run_dict(row)
        run["spans"] = list(self.spans(trace_id))
        return run

    def spans(self, trace_id: str) -> Iterator[dict[str, Any]]:
        """The spans of one trace as rows (attributes and events decoded), ordered by start time."""
        cursor = self._connect().execute(
            f"SELECT {_READ_COLUMNS} FROM spans WHERE trace_id = ? ORDER BY start_ns, id", (trace_id,)
        )
        for r in cursor:
            yield self._span_dict(r)

    def span(self, span_id: str) -> dict[str, Any] | None:
        """One span by its hex id, or None."""
        if not re.fullmatch(r"[0-9a-fA-F]{16}", span_id):
            return None
        r = (
            self._connect()
            .execute(f"SELECT {_READ_COLUMNS} FROM spans WHERE span_key = ?", (_signed(span_id),))
            .fetchone()
        )
        return self._span_dict(r) if r is not None else None

    def trace_ids(self) -> list[str]:
        """Every trace id, oldest first."""
        return [r[0] for r in self._connect().execute("SELECT trace_id FROM traces ORDER BY start_ns")]

    @staticmethod
    def _run_dict(row: sqlite3.Row) -> dict[str, Any]:
        run = dict(row)
        end, start = run.get("end_ns"), run.get("start_ns")
        run["duration_ms"] = (end - start) / 1e6 if end is not None and start is not None else None
        run["agent"] = run.get("agent") or run.get("name")
        return run

    @staticmethod
    def _span_dict(row: sqlite3.Row) -> dict[str, Any]:
        span = dict(row)
        span.pop("id", None)
        span["attributes"] = json.loads(span["attributes"])
        span["events"] = json.loads(span["events"])
        span["resource"] = json.loads(span["resource"] or "{}")
        end = span["end_ns"]
        span["duration_ms"] = (end - span["start_ns"]) / 1e6 if end is not None else None
        return span
