"""`goalgraph eval rearag --model openai:...@URL` against `goalgraph llm serve` (started here; real model, real HTTP)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from goalgraph.agents.rearag_cli import command

# One served 135M model answers every call of three systems in turn: minutes on a small shared CPU.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]


def test_same_command_against_an_openai_compatible_server(
    llm_server_url: str, shared_data: Path, tmp_path: Path
) -> None:
    app = typer.Typer()
    app.command()(command)
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        app,
        [
            "--data",
            str(shared_data / "multihop" / "questions.jsonl"),
            "--setting",
            "distractor",
            "--limit",
            "1",
            "--model",
            f"openai:local@{llm_server_url}",
            "--bm25-only",
            "--max-steps",
            "2",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert set(document["summary"]) == {"rearag", "one_shot_rag", "closed_book"}
    episodes = {e["system"]: e for e in document["episodes"]}
    assert "error" not in episodes["rearag"], episodes["rearag"].get("error")
    assert episodes["rearag"]["status"] in {"finished", "max_steps", "invalid_action"}
    assert episodes["rearag"]["chain"], "the served model wrote no step"
    # Each search step records its passage ids, so a final-answer rule can be replayed on the same evidence.
    searches = [s for s in episodes["rearag"]["chain"] if s["action"]["function"] == "search"]
    assert searches and all(s["retrieved"] for s in searches)
    assert all(set(s["used"]) <= set(s["retrieved"]) for s in searches)
    assert set(episodes["rearag"]["retrieved"]) == {i for s in searches for i in s["retrieved"]}
    assert 0 < len(episodes["one_shot_rag"]["retrieved"]) <= 5
