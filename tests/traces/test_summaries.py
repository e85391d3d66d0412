"""Run summaries: what each write folds in incrementally equals a recomputation from the stored spans."""

from __future__ import annotations

import sqlite3
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from goalgraph import traces
from goalgraph.traces._store import _immediate
from goalgraph.traces._summaries import RUN_FIELDS, recompute

_ALL = RUN_FIELDS + ", max_end_ns, root_start_ns, root_status, agent_start_ns"


def _summaries(store: traces.TraceStore) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in store._connect().execute(f"SELECT {_ALL} FROM traces ORDER BY trace_id")]


def _recomputed(store: traces.TraceStore) -> list[tuple[Any, ...]]:
    connection = store._connect()
    connection.execute("SAVEPOINT oracle")
    try:
        connection.execute("DELETE FROM traces")
        recompute(connection, [r[0] for r in connection.execute("SELECT DISTINCT trace_id FROM spans")])
        return _summaries(store)
    finally:
        connection.execute("ROLLBACK TO oracle")
        connection.execute("RELEASE oracle")


# A span's fixed identity: (trace, parent or None, start, agent name or None).
_SPANS = [
    ("a", None, 5, "planner"),
    ("a", "0000000000000001", 6, None),
    ("a", "0000000000000001", 7, "worker"),
    ("a", None, 3, None),  # a second parentless span that starts earlier: it becomes the root
    ("b", "00000000000000ee", 1, None),  # a run whose root never arrives
    ("b", "00000000000000ee", 4, "solo"),
    ("c", None, 2, "qa"),
]


def _row(index: int, status: str, tokens: int | None, end: int) -> dict[str, Any]:
    trace, parent, start, agent = _SPANS[index]
    attributes: dict[str, Any] = {}
    if agent is not None and status != "RUNNING":  # running rows may not know the agent yet
        attributes["gen_ai.agent.name"] = agent
    if tokens is not None:
        attributes["gen_ai.usage.input_tokens"] = tokens
        attributes["gen_ai.usage.output_tokens"] = tokens * 2
    return {
        "span_id": f"{index + 1:016x}",
        "trace_id": trace * 32,
        "parent_id": parent,
        "name": f"span {index}",
        "kind": "CHAIN",
        "otel_kind": "INTERNAL",
        "start_ns": start,
        "end_ns": None if status == "RUNNING" else start + end,
        "status": status,
        "status_message": "",
        "attributes": attributes,
        "events": [],
    }


_WRITE = st.tuples(
    st.integers(0, len(_SPANS) - 1),
    st.sampled_from(["RUNNING", "OK", "ERROR", "UNSET"]),
    st.one_of(st.none(), st.integers(0, 50)),
    st.integers(0, 20),
)
_BATCHES = st.lists(st.lists(_WRITE, min_size=1, max_size=6), min_size=1, max_size=6)


@settings(max_examples=200, deadline=None)
@given(batches=_BATCHES)
def test_incremental_summaries_equal_a_recomputation(tmp_path_factory, batches):
    store = traces.TraceStore(tmp_path_factory.mktemp("s") / "t.db")
    try:
        for batch in batches:
            running = all(status == "RUNNING" for _, status, _, _ in batch)
            store.write([_row(*write) for write in batch], running=running)
            assert _summaries(store) == _recomputed(store)
    finally:
        store.close()


def test_a_run_summary_follows_its_root_and_totals(tmp_path):
    store = traces.TraceStore(tmp_path / "t.db")
    store.write([_row(0, "RUNNING", None, 0), _row(1, "OK", 10, 1)], running=False)
    [run] = store.list_runs()
    assert (run["status"], run["agent"], run["span_count"], run["running_count"]) == (
        "RUNNING",
        "span 0",
        2,
        1,
    )
    store.write([_row(0, "ERROR", 5, 9)])  # the root ends, failed: the run is failed and ends with it
    [run] = store.list_runs()
    assert (run["status"], run["agent"], run["end_ns"], run["error_count"]) == ("ERROR", "planner", 14, 1)
    assert (run["input_tokens"], run["output_tokens"], run["running_count"]) == (15, 30, 0)
    store.write([_row(3, "OK", None, 20)])  # an earlier parentless span: now the root
    [run] = store.list_runs()
    assert (run["root_span_id"], run["status"], run["start_ns"], run["end_ns"]) == (f"{4:016x}", "OK", 3, 23)


def test_a_store_with_version_2_summaries_is_migrated(tmp_path):
    db = tmp_path / "v2.db"
    store = traces.TraceStore(db)
    store.write([_row(0, "OK", 3, 1), _row(2, "OK", None, 1)])
    store.close()
    old = sqlite3.connect(db, isolation_level=None)
    with _immediate(old):  # the version-2 traces table: the summary columns only
        old.execute("DROP TABLE traces")
        old.execute(
            "CREATE TABLE traces (trace_id TEXT PRIMARY KEY, root_span_id TEXT, name TEXT, agent TEXT, "
            "start_ns INTEGER, end_ns INTEGER, status TEXT, span_count INTEGER, error_count INTEGER, "
            "running_count INTEGER, input_tokens INTEGER, output_tokens INTEGER)"
        )
        old.execute("INSERT INTO traces (trace_id, span_count) VALUES (?, 2)", ("a" * 32,))
        old.execute("PRAGMA user_version = 2")
    old.close()
    store = traces.TraceStore(db)
    [run] = store.list_runs()
    assert (run["span_count"], run["agent"], run["input_tokens"], run["root_span_id"]) == (
        2,
        "planner",
        3,
        f"{1:016x}",
    )
    store.write([_row(1, "OK", 4, 1)])  # later writes fold into the migrated summary
    assert store.list_runs()[0]["input_tokens"] == 7
    assert _summaries(store) == _recomputed(store)
