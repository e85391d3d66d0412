"""Every `goalgraph eval …` command on the harness takes --resume, --backend, --address and --ray-workers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from goalgraph.cli import app
from goalgraph.evals import EvalConfig
from goalgraph.evals._cli_options import apply_harness_options

HARNESS_EVALS = ["embodied", "rearag", "resum", "memory-t1", "time-range"]
SHARED = {"--resume", "--backend", "--address", "--ray-workers", "--concurrency"}


def _eval_command(name: str) -> Any:
    group: Any = typer.main.get_command(app)
    evals = group.get_command(group.context_class(group), "eval")
    return evals.get_command(evals.context_class(evals), name)


@pytest.mark.parametrize("name", HARNESS_EVALS)
def test_each_harness_eval_offers_the_shared_options(name: str) -> None:
    command = _eval_command(name)
    declared = {opt for param in command.params for opt in param.opts}
    assert declared >= SHARED, sorted(SHARED - declared)


def test_outside_a_command_the_config_is_unchanged(tmp_path: Path) -> None:
    config = EvalConfig(out=tmp_path / "r.json", metrics=("accuracy",))
    assert apply_harness_options(config) is config


def _ranges(tmp_path: Path) -> Path:
    questions = [
        ("What did Ann do between May 2, 2023 and May 5, 2023", "2023-05-02T00:00:00", "2023-05-05T23:59:59"),
        ("What happened on June 3, 2024", "2024-06-03T00:00:00", "2024-06-03T23:59:59"),
        ("Which of the two trips was longer", "unknown", "unknown"),
        ("When did Bo go to Tokyo", "unknown", "2025-07-17T12:48:10"),
    ]
    data = tmp_path / "ranges.jsonl"
    rows = [
        {"question_id": f"q{i}", "question": q, "time_range": {"start": start, "end": end}}
        for i, (q, start, end) in enumerate(questions * 3)
    ]
    data.write_text("\n".join(json.dumps(row) for row in rows), encoding="utf-8")
    return data


def _episodes(out: Path) -> list[tuple[str, dict[str, Any]]]:
    document = json.loads(out.read_text(encoding="utf-8"))
    episodes = [
        (e["id"], {k: v for k, v in e["metrics"].items() if k != "seconds"}) for e in document["episodes"]
    ]
    return sorted(episodes, key=lambda e: e[0])


def test_address_needs_the_ray_backend(tmp_path: Path) -> None:
    data, out = str(_ranges(tmp_path)), str(tmp_path / "r.json")
    args = ["eval", "time-range", "--data", data, "--out", out, "--address", "127.0.0.1:6379"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2 and "--address needs --backend ray" in result.output
    assert not (tmp_path / "r.json").exists()


@pytest.mark.slow
def test_the_cli_on_ray_gives_the_asyncio_results(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    data = _ranges(tmp_path)
    base = ["eval", "time-range", "--data", str(data), "--model", "none"]
    local = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "local.json")])
    assert local.exit_code == 0, local.output
    on_ray = CliRunner().invoke(
        app, [*base, "--out", str(tmp_path / "ray.json"), "--backend", "ray", "--ray-workers", "2"]
    )
    assert on_ray.exit_code == 0, on_ray.output
    assert len(_episodes(tmp_path / "ray.json")) == 12
    assert _episodes(tmp_path / "ray.json") == _episodes(tmp_path / "local.json")
