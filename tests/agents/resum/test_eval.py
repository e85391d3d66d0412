"""`goalgraph eval resum`: the results contract on real data with a scripted model; user errors exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel
from typer.testing import CliRunner

from goalgraph.agents._resum_eval import ResumEvalConfig, run_resum_eval
from goalgraph.agents.resum import ReSumConfig
from goalgraph.agents.resum_cli import command


def _searcher(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    tool = info.output_tools[0]
    props = tool.parameters_json_schema["properties"]
    if "facts" in props:
        args = {"facts": ["a fact"], "gaps": ["a gap"], "next": ["a direction"]}
    elif "thought" in props:
        question = str(messages[0].parts[-1].content).split("\n")[0].removeprefix("Question: ")  # type: ignore[union-attr]
        args = {"thought": "search", "action": {"tool": "search", "queries": [question[:60]]}}
    else:
        args = {"answer": props["answer"]["enum"][0]}
    return ModelResponse(parts=[ToolCallPart(tool.name, args)])


def test_results_contract(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    config = ResumEvalConfig(
        data=shared_data / "multihop" / "questions.jsonl",
        out=out,
        limit=2,
        model=FunctionModel(_searcher),
        agent=ReSumConfig(budget=700, max_rounds=4),
        dense=False,
        quiet=True,
    )
    run_resum_eval(config, count_tokens=lambda text: len(text.split()))
    document = json.loads(out.read_text())
    assert document["budget"] == 700
    assert set(document["summary"]) == {"resum", "react"}
    for system in document["summary"].values():
        assert {"f1", "em", "peak_context_tokens", "overflows", "summaries", "rounds", "seconds"} <= set(
            system
        )
    assert document["summary"]["resum"]["peak_context_tokens"] <= 700
    assert document["summary"]["resum"]["overflows"] == 0
    assert document["summary"]["resum"]["summaries"] >= 1
    assert document["summary"]["react"]["overflows"] >= 1
    assert all(e["hops"] >= 3 for e in document["episodes"])  # deep MuSiQue questions come first


def test_user_errors_exit_2(tmp_path: Path) -> None:
    app = typer.Typer()
    app.command()(command)
    result = CliRunner().invoke(app, ["--data", str(tmp_path / "none.jsonl")])
    assert result.exit_code == 2 and "file not found" in result.output
    result = CliRunner().invoke(app, ["--data", str(tmp_path), "--budget", "10"])
    assert result.exit_code == 2
