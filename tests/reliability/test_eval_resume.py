"""`goalgraph eval … --resume` after a crash: a damaged episode log (a line cut by the kill, a foreign or
mangled line, bytes that are not UTF-8) never stops the resume; damaged lines' episodes simply run again."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from goalgraph.evals import EvalConfig, EvalTask, run_eval


def _factory(ran: list[str]) -> Any:
    def make() -> Any:
        def runner(task: EvalTask) -> dict[str, Any]:
            ran.append(task.id)
            return {"metrics": {"accuracy": 1.0}}

        return runner

    return make


def test_resume_survives_a_damaged_episode_log(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    tasks = [EvalTask(f"q{i}", "agent", "all") for i in range(6)]
    config = EvalConfig(out=out, metrics=("accuracy",), quiet=True, chart=False, resume=True)
    good = [
        json.dumps({"id": f"q{i}", "system": "agent", "group": "all", "metrics": {"accuracy": 1.0}})
        for i in range(3)
    ]
    log = out.with_name(out.name + ".episodes.jsonl")
    log.write_bytes(
        "\n".join(good).encode()
        + b"\n[1, 2, 3]\n"  # valid JSON, not an episode
        + b'{"id": "q3"}\n'  # an episode without its system
        + b'{"id": "q4", "system": "agent", "metrics": [1]}\n'  # metrics of the wrong shape
        + "caf\xe9\n".encode("latin-1")  # not UTF-8
        + b'{"id": "q5", "system": "agent", "metr'  # cut by the kill
    )
    ran: list[str] = []
    document = run_eval(tasks, _factory(ran), config)
    assert sorted(ran) == ["q3", "q5"]  # q0-q2 were done; q4 counts as done (its metrics are dropped)
    assert {e["id"] for e in document["episodes"]} == {f"q{i}" for i in range(6)}
    assert json.loads(out.read_text())["summary"]["agent"]["episodes"] == 6


def test_a_run_that_fails_before_any_episode_keeps_the_previous_results(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    tasks = [EvalTask("q0", "agent", "all")]
    run_eval(tasks, _factory([]), EvalConfig(out=out, metrics=("accuracy",), quiet=True, chart=False))
    before = (out.read_bytes(), out.with_name(out.name + ".episodes.jsonl").read_bytes())

    def broken() -> Any:
        raise ValueError("--model: unknown model spec 'gpt-9'")

    with pytest.raises(ValueError, match="gpt-9"):
        run_eval(tasks, broken, EvalConfig(out=out, metrics=("accuracy",), quiet=True, chart=False))
    assert (out.read_bytes(), out.with_name(out.name + ".episodes.jsonl").read_bytes()) == before
