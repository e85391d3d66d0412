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
