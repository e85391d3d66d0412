"""The SQLite store, OTLP-JSON lines and the terminal commands, on runs of the real small agent."""

from __future__ import annotations

import json
import time

import pytest
from typer.testing import CliRunner

from goalgraph import traces
from goalgraph.traces.cli import app


def test_store_runs_tokens_errors_and_search(filled_db):
    store = traces.TraceStore(filled_db)
    runs = store.list_runs()
    assert [r["agent"] for r in runs] == ["imager", "qa-failing", "qa", "qa"]
    qa = runs[-1]
    assert qa["status"] == "OK" and qa["error_count"] == 0 and qa["span_count"] >= 8
    assert qa["input_tokens"] > 0 and qa["output_tokens"] > 0  # rolled up from the LLM spans
    failing = runs[1]
    assert failing["error_count"] >= 1
    assert [r["agent"] for r in store.list_runs(query="fire")] == ["qa-failing"]
    assert len(store.list_runs(query="Italy")) == 1
    assert store.list_runs(query='"; DROP TABLE spans; --') == []
    assert [r["agent"] for r in store.list_runs(status="ERROR")] == [] or all(
        r["status"] == "ERROR" for r in store.list_runs(status="ERROR")
    )
    kinds = {s["kind"] for s in store.run(qa["trace_id"][:8])["spans"]}
    assert {"AGENT", "CHAIN", "LLM", "TOOL"} <= kinds


def test_running_spans_are_visible(tmp_path):
    db = tmp_path / "live.db"
    traces.setup(db, settings=traces.TraceSettings(running_flush_s=0.05))
    try:
        with traces.agent_run("slow"):
            store = traces.TraceStore(db)
            deadline = time.time() + 10
            runs = []
            while time.time() < deadline and not runs:
                time.sleep(0.05)
                runs = store.list_runs()
            assert runs and runs[0]["status"] == "RUNNING" and runs[0]["agent"] == "slow"
        traces.force_flush()
        assert store.list_runs()[0]["status"] == "OK"
    finally:
        traces.shutdown()


def test_otlp_json_round_trip(filled_db, tmp_path):
    store = traces.TraceStore(filled_db)
    path = tmp_path / "runs.jsonl"
    count = traces.export_otlp_json(store, store.trace_ids(), path)
    first = json.loads(path.read_text().splitlines()[0])
    span = first["resourceSpans"][0]["scopeSpans"][0]["spans"][0]
    assert len(span["traceId"]) == 32 and len(span["spanId"]) == 16 and span["startTimeUnixNano"].isdigit()
    copy = traces.TraceStore(tmp_path / "copy.db")
    assert traces.import_otlp_json(copy, path) == count
    a, b = store.run("last"), copy.run("last")
    assert [(s["name"], s["kind"], s["parent_id"]) for s in a["spans"]] == [
        (s["name"], s["kind"], s["parent_id"]) for s in b["spans"]
    ]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"resourceSpans": [{"scopeSpans": [{"spans": [{"name": "x"}]}]}]}\n')
    with pytest.raises(traces.OtlpJsonError, match=r"bad\.jsonl:1"):
        traces.import_otlp_json(copy, bad)


def test_cli_ls_show_export_import(filled_db, tmp_path):
    runner = CliRunner(env={"COLUMNS": "200"})
    result = runner.invoke(app, ["ls", "--db", str(filled_db)])
    assert result.exit_code == 0 and "qa-failing" in result.output
    result = runner.invoke(app, ["show", "last", "--db", str(filled_db)])
    assert result.exit_code == 0 and "upscale" in result.output and "invoke_agent imager" in result.output
    out = tmp_path / "x.jsonl"
    result = runner.invoke(app, ["export", "last", "--otlp-json", str(out), "--db", str(filled_db)])
    assert result.exit_code == 0 and out.is_file()
    result = runner.invoke(app, ["import", str(out), "--db", str(tmp_path / "new.db")])
    assert result.exit_code == 0 and "imported 2 spans" in result.output
    assert runner.invoke(app, ["show", "nothex!", "--db", str(filled_db)]).exit_code == 2
    assert runner.invoke(app, ["ls", "--db", str(tmp_path / "missing.db")]).exit_code == 2
    assert runner.invoke(app, ["serve", "--db", str(filled_db), "--host", "0.0.0.0"]).exit_code == 2


def _row(span_id: str, status: str, *, text: str = "") -> dict[str, object]:
    return {
        "span_id": span_id,
        "trace_id": "ab" * 16,
        "parent_id": None,
        "name": "lookup",
        "kind": "TOOL",
        "otel_kind": "INTERNAL",
        "start_ns": 1,
        "end_ns": None if status == "RUNNING" else 2,
        "status": status,
        "status_message": "",
        "attributes": {"input.value": text},
        "events": [],
    }


def test_a_span_written_running_then_finished_is_one_searchable_span(tmp_path):
    store = traces.TraceStore(tmp_path / "t.db")
    store.write([_row("00000000000000ff", "RUNNING", text="zanzibar")], running=True)
    assert store.list_runs(query="zanzibar") == []  # running rows are not indexed yet
    store.write([_row("00000000000000ff", "RUNNING", text="changed")], running=True)  # never overwrites
    store.write([_row("00000000000000ff", "OK", text="zanzibar")])
    store.write([_row("00000000000000ff", "OK", text="zanzibar")])  # the same span again: still one
    [run] = store.list_runs(query="zanz")
    assert run["span_count"] == 1 and run["running_count"] == 0 and run["status"] == "OK"
    span = store.span("00000000000000ff")
    assert span is not None and span["status"] == "OK" and span["attributes"]["input.value"] == "zanzibar"
    count = store._connect().execute("SELECT COUNT(*) FROM spans_fts WHERE spans_fts MATCH 'zanzibar'")
    assert count.fetchone()[0] == 1


def test_a_store_from_the_first_layout_is_migrated(tmp_path):
    """Stores written before spans got a sequential id (id = the span id itself) open and keep their runs."""
    import sqlite3

    db = tmp_path / "old.db"
    old = sqlite3.connect(db)
    old.executescript(
        """
        CREATE TABLE spans (id INTEGER PRIMARY KEY, span_id TEXT NOT NULL, trace_id TEXT NOT NULL,
            parent_id TEXT, name TEXT NOT NULL, kind TEXT, otel_kind TEXT, start_ns INTEGER NOT NULL,
            end_ns INTEGER, status TEXT NOT NULL, status_message TEXT, agent TEXT, input_tokens INTEGER,
            output_tokens INTEGER, attributes TEXT NOT NULL, events TEXT NOT NULL, resource TEXT, scope TEXT);
        CREATE INDEX spans_trace ON spans(trace_id, start_ns);
        CREATE VIRTUAL TABLE spans_fts USING fts5(name, body);
        """
    )
    old.execute(
        "INSERT INTO spans VALUES (-5, 'fffffffffffffffb', ?, NULL, 'invoke_agent qa', 'AGENT', 'INTERNAL', 1, 2,"
        " 'OK', '', 'qa', NULL, NULL, '{\"input.value\": \"capital of Peru\"}', '[]', '{}', 'goalgraph')",
        ("cd" * 16,),
    )
    old.commit()
    old.close()
    store = traces.TraceStore(db)
    store.write([_row("00000000000000aa", "OK", text="lima")])  # writes after the migration work too
    span = store.span("fffffffffffffffb")
    assert span is not None and span["attributes"]["input.value"] == "capital of Peru"
    assert [r["trace_id"] for r in store.list_runs(query="Peru")] == ["cd" * 16]
    assert len(store.list_runs()) == 2
    assert traces.TraceStore(db).list_runs(query="lima")  # reopening does not migrate again


def test_a_large_batch_is_written_in_chunks_as_one_consistent_write(tmp_path):
    """A batch longer than one chunk of rows (and than one multi-row statement), with a span repeated
    inside a chunk and across chunks: one row per span, the later version wins, every span is searchable."""
    store = traces.TraceStore(tmp_path / "t.db")
    rows = [_row(f"{i + 1:016x}", "OK", text=f"word{i}") for i in range(300)]
    rows.append(_row(f"{20 + 1:016x}", "OK", text="again"))  # repeats a span of the first chunk
    rows.insert(30, _row(f"{29 + 1:016x}", "ERROR", text="twice"))  # the same span twice in a row
    store.write(row for row in rows)  # a generator, as the exporter passes
    [run] = store.list_runs()
    assert run["span_count"] == 300 and run["error_count"] == 1  # counted once, as its later version
    assert store.span(f"{20 + 1:016x}")["attributes"]["input.value"] == "again"
    assert store.span(f"{29 + 1:016x}")["status"] == "ERROR"
    for word in ("word0", "word63", "word64", "word255", "word256", "word299"):  # chunk edges
        assert store.list_runs(query=word), word
    stored = store._connect().execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM spans").fetchone()
    assert tuple(stored) == (300, 300)
