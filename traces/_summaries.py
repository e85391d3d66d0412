"""Run summaries (the ``traces`` table): kept up to date from each written batch, recomputable from spans.

    batch = SummaryBatch(connection)        # inside the write transaction: O(batch), not O(trace)
    batch.add(written); ...; batch.finish()
    recompute(connection, trace_ids)        # from the spans themselves (migration, and the tests' oracle)

A run's summary is its root span (the earliest span without a parent: name, end, status), the agent of
its earliest span that names one, its first start, and counts and token totals over all its spans.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

__all__ = ["RUN_FIELDS", "SUMMARY_SCHEMA", "SpanChange", "SummaryBatch", "recompute", "sql_chunks"]

T = TypeVar("T")

SUMMARY_SCHEMA = """
CREATE TABLE IF NOT EXISTS traces (
    trace_id TEXT PRIMARY KEY,
    root_span_id TEXT,
    name TEXT,
    agent TEXT,
    start_ns INTEGER,
    end_ns INTEGER,
    status TEXT,
    span_count INTEGER,
    error_count INTEGER,
    running_count INTEGER,
    input_tokens INTEGER,
    output_tokens INTEGER,
    -- What an incremental update needs to know besides the summary itself:
    max_end_ns INTEGER,       -- latest end of any span (the run's end while it has no root)
    root_start_ns INTEGER,    -- the root's start (an earlier parentless span would replace it)
    root_status TEXT,
    agent_start_ns INTEGER    -- start of the span the agent name came from
);
CREATE INDEX IF NOT EXISTS traces_time ON traces(start_ns);
CREATE INDEX IF NOT EXISTS traces_agent ON traces(agent);
"""

#: The columns a run summary shows (the bookkeeping columns stay inside this module).
RUN_FIELDS = (
    "trace_id, root_span_id, name, agent, start_ns, end_ns, status, span_count, error_count, "
    "running_count, input_tokens, output_tokens"
)
_ALL_FIELDS = RUN_FIELDS + ", max_end_ns, root_start_ns, root_status, agent_start_ns"
_SET_ALL = ", ".join(f"{c} = excluded.{c}" for c in _ALL_FIELDS.split(", ")[1:])
_UPSERT = (
    f"INSERT INTO traces ({_ALL_FIELDS}) VALUES ({', '.join('?' * len(_ALL_FIELDS.split(', ')))}) "
    f"ON CONFLICT(trace_id) DO UPDATE SET {_SET_ALL}"
)

# Group first, then look the root and agent up once per trace: a subquery per span row would cost
# O(spans in the trace) per row. The status rule is `_status`'s, in SQL.
_RECOMPUTE = f"""
INSERT INTO traces ({_ALL_FIELDS})
SELECT g.trace_id, root.span_id, root.name, ag.agent, g.start_ns,
       CASE WHEN root.span_id IS NOT NULL THEN root.end_ns ELSE g.max_end END,
       CASE WHEN root.status = 'RUNNING' THEN 'RUNNING' WHEN root.status = 'ERROR' THEN 'ERROR'
            WHEN root.span_id IS NULL AND g.running > 0 THEN 'RUNNING'
            WHEN root.span_id IS NULL AND g.errors > 0 THEN 'ERROR' ELSE 'OK' END,
       g.n, g.errors, g.running, g.input_tokens, g.output_tokens,
       g.max_end, root.start_ns, root.status, ag.start_ns
FROM (SELECT trace_id, MIN(start_ns) AS start_ns, MAX(end_ns) AS max_end, COUNT(*) AS n,
             SUM(status = 'ERROR') AS errors, SUM(status = 'RUNNING') AS running,
             COALESCE(SUM(input_tokens), 0) AS input_tokens, COALESCE(SUM(output_tokens), 0) AS output_tokens
      FROM spans WHERE trace_id IN ({{marks}}) GROUP BY trace_id) g
LEFT JOIN spans root ON root.id = (SELECT r.id FROM spans r WHERE r.trace_id = g.trace_id AND r.parent_id IS NULL
                                   ORDER BY r.start_ns, r.id LIMIT 1)
LEFT JOIN spans ag ON ag.id = (SELECT a.id FROM spans a WHERE a.trace_id = g.trace_id AND a.agent IS NOT NULL
                               ORDER BY a.start_ns, a.id LIMIT 1)
WHERE true
ON CONFLICT(trace_id) DO UPDATE SET {_SET_ALL}
"""


def sql_chunks(values: Sequence[T]) -> Iterator[tuple[list[T], str]]:
    """`values` in chunks small enough for one ``IN (…)`` list, each with its ``?, ?, …`` placeholders."""
    for start in range(0, len(values), 500):
        chunk = list(values[start : start + 500])
        yield chunk, ", ".join("?" * len(chunk))


def _status(root_span_id: str | None, root_status: str | None, running: int, errors: int) -> str:
    """A run is RUNNING or ERROR as its root is; without a root, as any of its spans is."""
    if root_span_id is not None:
        return root_status if root_status in ("RUNNING", "ERROR") else "OK"
    if running > 0:
        return "RUNNING"
    return "ERROR" if errors > 0 else "OK"


def recompute(connection: sqlite3.Connection, trace_ids: Sequence[str]) -> None:
    """Rebuild the summaries of `trace_ids` from their spans."""
    for chunk, marks in sql_chunks(trace_ids):
        connection.execute(_RECOMPUTE.format(marks=marks), chunk)


@dataclass(slots=True)
class SpanChange:
    """One span row as a batch writes it, with what the store held for that span before (if anything)."""

    trace_id: str
    span_id: str
    parent_id: str | None
    name: str
    start_ns: int
    end_ns: int | None
    status: str
    agent: str | None
    input_tokens: int | None
    output_tokens: int | None
    previous: tuple[str, int | None, int | None, int | None, str | None] | None
    """(status, input tokens, output tokens, end, agent) of the row this one replaces; None for a new span."""


@dataclass(slots=True)
class _Summary:
    trace_id: str
    root_span_id: str | None = None
    name: str | None = None
    agent: str | None = None
    start_ns: int | None = None
    span_count: int = 0
    error_count: int = 0
    running_count: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    max_end_ns: int | None = None
    root_start_ns: int | None = None
    root_status: str | None = None
    agent_start_ns: int | None = None
    root_end_ns: int | None = None  # not a column: the summary's end_ns while the run has a root
    stale: bool = False  # a rewrite took back what a maximum or the agent came from: recompute instead

    def apply(self, change: SpanChange) -> None:
        previous = change.previous
        if previous is None:
            self.span_count += 1
        else:
            old_status, old_in, old_out, old_end, old_agent = previous
            if old_end is not None and (change.end_ns is None or change.end_ns < old_end):
                self.stale = self.stale or (self.max_end_ns is not None and old_end >= self.max_end_ns)
            self.stale = self.stale or (old_agent is not None and change.agent != old_agent)
            self.error_count -= old_status == "ERROR"
            self.running_count -= old_status == "RUNNING"
            self.input_tokens -= old_in or 0
            self.output_tokens -= old_out or 0
        self.error_count += change.status == "ERROR"
        self.running_count += change.status == "RUNNING"
        self.input_tokens += change.input_tokens or 0
        self.output_tokens += change.output_tokens or 0
        start = change.start_ns
        if self.start_ns is None or start < self.start_ns:
            self.start_ns = start
        if change.end_ns is not None and (self.max_end_ns is None or change.end_ns > self.max_end_ns):
            self.max_end_ns = change.end_ns
        if change.agent is not None and (self.agent_start_ns is None or start < self.agent_start_ns):
            self.agent, self.agent_start_ns = change.agent, start
        if change.parent_id is None and (
            self.root_span_id == change.span_id or self.root_start_ns is None or start < self.root_start_ns
        ):
            self.root_span_id, self.name, self.root_start_ns = change.span_id, change.name, start
            self.root_status, self.root_end_ns = change.status, change.end_ns

    def values(self) -> tuple[object, ...]:
        end = self.root_end_ns if self.root_span_id is not None else self.max_end_ns
        status = _status(self.root_span_id, self.root_status, self.running_count, self.error_count)
        return (
            self.trace_id,
            self.root_span_id,
            self.name,
            self.agent,
            self.start_ns,
            end,
            status,
            self.span_count,
            self.error_count,
            self.running_count,
            self.input_tokens,
            self.output_tokens,
            self.max_end_ns,
            self.root_start_ns,
            self.root_status,
            self.agent_start_ns,
        )


def _load(connection: sqlite3.Connection, trace_ids: list[str]) -> dict[str, _Summary]:
    summaries: dict[str, _Summary] = {}
    for chunk, marks in sql_chunks(trace_ids):
        for row in connection.execute(f"SELECT {_ALL_FIELDS} FROM traces WHERE trace_id IN ({marks})", chunk):
            summary = _Summary(row[0])
            (
                summary.root_span_id,
                summary.name,
                summary.agent,
                summary.start_ns,
                end_ns,
                _shown_status,
                summary.span_count,
                summary.error_count,
                summary.running_count,
                summary.input_tokens,
                summary.output_tokens,
                summary.max_end_ns,
                summary.root_start_ns,
                summary.root_status,
                summary.agent_start_ns,
            ) = tuple(row)[1:]
            # A run with a root ends when its root does.
            summary.root_end_ns = end_ns if summary.root_span_id is not None else None
            summaries[summary.trace_id] = summary
    return summaries


class SummaryBatch:
    """The summaries one write transaction touches, folded in as its spans are written and stored at
    the end (`finish`): a write that inserts its rows in chunks adds each chunk's changes as it goes."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection
        self._summaries: dict[str, _Summary] = {}

    def add(self, changes: Sequence[SpanChange]) -> None:
        """Fold written spans into their runs' summaries (loading each run's stored summary once)."""
        summaries = self._summaries
        new = [t for t in dict.fromkeys(c.trace_id for c in changes) if t not in summaries]
        if new:
            summaries.update(_load(self._connection, new))
        for change in changes:
            summary = summaries.get(change.trace_id)
            if summary is None:
                summary = summaries[change.trace_id] = _Summary(change.trace_id)
            summary.apply(change)

    def finish(self) -> None:
        """Store the summaries (recomputing from the spans those a rewrite made stale)."""
        summaries = self._summaries.values()
        self._connection.executemany(_UPSERT, [s.values() for s in summaries if not s.stale])
        recompute(self._connection, [s.trace_id for s in summaries if s.stale])
        self._summaries = {}
