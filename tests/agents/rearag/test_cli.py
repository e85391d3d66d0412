"""`goalgraph eval rearag`: user errors exit with code 2; a small run writes the results contract."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from goalgraph.agents.rearag_cli import command

app = typer.Typer()
app.command()(command)


def test_user_errors_exit_2(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["--data", str(tmp_path / "none.jsonl"), "--out", str(tmp_path / "r.json")])
    assert missing.exit_code == 2 and "file not found" in missing.output
    data = tmp_path / "q.jsonl"
    data.write_text("{}\n")
    bad = runner.invoke(app, ["--data", str(data), "--setting", "open"])
    assert bad.exit_code == 2 and "distractor" in bad.output
    broken = runner.invoke(app, ["--data", str(data), "--out", str(tmp_path / "r.json"), "--model", "none"])
    assert broken.exit_code == 2 and "missing field" in broken.output


def test_small_run_writes_the_contract(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app,
        [
            "--data",
            str(shared_data / "multihop" / "questions.jsonl"),
            "--setting",
            "pooled",
            "--limit",
            "2",
            "--model",
            "none",
            "--bm25-only",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert document["setting"] == "pooled"
    assert set(document["summary"]) == {"rearag", "one_shot_rag", "closed_book"}
    for system in document["summary"].values():
        assert {"em", "f1", "sp_recall", "searches", "seconds"} <= set(system)
    assert set(document["by_group"]["one_shot_rag"]) == {"hotpotqa", "musique"}
    assert len(document["episodes"]) == 6
    # No model: ReaRAG cannot write a step, so every run ends in the defined invalid-action outcome.
    assert {e["status"] for e in document["episodes"] if e["system"] == "rearag"} == {"invalid_action"}
