"""`goalgraph eval embodied`: the results contract on procedural data, and exit 2 on every bad input."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from goalgraph.agents.embodied._eval import stratified
from goalgraph.agents.embodied.cli import command
from goalgraph.envs.household import FAMILIES, generate_scene, generate_tasks

app = typer.Typer()
app.command()(command)


@pytest.fixture()
def data(tmp_path: Path) -> tuple[Path, Path]:
    """Three procedural scenes and 8 tasks on each, in the shared data's file formats."""
    scenes = tmp_path / "scenes"
    scenes.mkdir()
    lines = []
    for i in range(3):
        scene = generate_scene(random.Random(i), name=f"FloorPlan{900 + i}")
        (scenes / f"{scene.scene}.json").write_text(scene.model_dump_json())
        for task in generate_tasks(scene, random.Random(i), n=8):
            task.identity = f"{i}-{task.identity}"
            lines.append(task.model_dump_json())
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text("\n".join(lines) + "\n")
    return tasks, scenes


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_small_run_writes_the_contract(data: tuple[Path, Path], tmp_path: Path) -> None:
    tasks, scenes = data
    out = tmp_path / "out" / "r.json"
    code, output = _run(
        "--tasks", str(tasks), "--scenes", str(scenes), "--model", "scripted", "--limit", "8",
        "--baseline-limit", "4", "--out", str(out),
    )  # fmt: skip
    assert code == 0, output
    doc = json.loads(out.read_text())
    assert set(doc["summary"]) == {"agent", "react"}
    for system in ("agent", "react"):
        metrics = doc["summary"][system]
        assert {
            "success",
            "efficiency",
            "completeness",
            "repeat_rate",
            "steps",
            "seconds",
            "llm_calls",
        } <= set(metrics)
        assert 0.0 <= metrics["success"] <= 1.0 and 0.0 <= metrics["repeat_rate"] <= 1.0
        assert set(doc["by_group"][system]) <= set(FAMILIES)
    assert (
        set(doc["by_group"]["agent"]) == set(FAMILIES) - {"composite"} or len(doc["by_group"]["agent"]) >= 3
    )
    episodes = doc["episodes"]
    assert (
        sum(e["system"] == "agent" for e in episodes) == 8
        and sum(e["system"] == "react" for e in episodes) == 4
    )
    # ReAct ran on tasks the agent also ran: the paired block compares them like for like.
    assert doc["paired"]["agent"]["episodes"] == doc["paired"]["react"]["episodes"] == 4
    wall = doc["wall_seconds"]
    assert {"agent", "react", "total"} <= set(wall)
    assert max(wall["agent"], wall["react"]) <= wall["total"] <= wall["agent"] + wall["react"] + 1e-6
    agent_episode = next(e for e in episodes if e["system"] == "agent")
    assert agent_episode["trajectory"][-1]["command"] == "end" and agent_episode["metrics"]["llm_calls"] >= 1
    assert out.with_suffix(".png").is_file()


def test_agent_alone_without_a_model(data: tuple[Path, Path], tmp_path: Path) -> None:
    tasks, scenes = data
    out = tmp_path / "r.json"
    code, output = _run("--tasks", str(tasks), "--scenes", str(scenes), "--model", "none", "--systems", "agent",
                        "--out", str(out))  # fmt: skip
    assert code == 0, output
    doc = json.loads(out.read_text())
    assert set(doc["summary"]) == {"agent"} and doc["summary"]["agent"]["episodes"] == 24
    assert doc["summary"]["agent"]["llm_calls"] == 0.0


def test_bad_inputs_exit_2_and_name_the_problem(data: tuple[Path, Path], tmp_path: Path) -> None:
    tasks, scenes = data
    out = tmp_path / "never.json"
    base = ["--scenes", str(scenes), "--out", str(out)]
    code, output = _run("--tasks", str(tmp_path / "missing.jsonl"), *base)
    assert code == 2 and "--tasks" in output and "missing.jsonl" in output
    broken = tmp_path / "broken.jsonl"
    broken.write_text(tasks.read_text().splitlines()[0] + "\n{not json\n")
    code, output = _run("--tasks", str(broken), *base)
    assert code == 2 and "broken.jsonl:2" in output
    no_field = tmp_path / "nofield.jsonl"
    row = json.loads(tasks.read_text().splitlines()[0])
    del row["taskquery"]
    no_field.write_text(json.dumps(row) + "\n")
    code, output = _run("--tasks", str(no_field), *base)
    assert code == 2 and "nofield.jsonl:1" in output and "taskquery" in output
    row = json.loads(tasks.read_text().splitlines()[0]) | {"scene": "FloorPlan42"}
    unknown = tmp_path / "unknown.jsonl"
    unknown.write_text(json.dumps(row) + "\n")
    code, output = _run("--tasks", str(unknown), *base)
    assert code == 2 and "FloorPlan42" in output and "'scene'" in output
    code, output = _run("--tasks", str(tasks), "--scenes", str(tmp_path / "nowhere"), "--out", str(out))
    assert code == 2 and "--scenes" in output
    bad_scene = tmp_path / "badscenes"
    bad_scene.mkdir()
    (bad_scene / "FloorPlan1.json").write_text('{"scene": "FloorPlan1", "objects": [{"objectId": 3}]}')
    code, output = _run("--tasks", str(tasks), "--scenes", str(bad_scene), "--out", str(out))
    assert code == 2 and "FloorPlan1.json" in output and "objects.0" in output
    code, output = _run("--tasks", str(tasks), *base, "--systems", "agent,gpt")
    assert code == 2 and "--systems" in output and "gpt" in output
    code, output = _run("--tasks", str(tasks), *base, "--model", "nonsense")
    assert code == 2 and "--model" in output
    code, output = _run("--tasks", str(tasks), *base, "--model", "none")
    assert code == 2 and "react" in output
    code, output = _run("--tasks", str(tasks), *base, "--llm-thoughts", "task planning,daydreaming")
    assert code == 2 and "--llm-thoughts" in output and "daydreaming" in output
    code, output = _run("--tasks", str(tasks), *base, "--limit", "0")
    assert code == 2 and "--limit" in output
    assert not out.exists() and not out.with_name(out.name + ".episodes.jsonl").exists()


def test_stratified_sample_covers_every_family_deterministically(data: tuple[Path, Path]) -> None:
    from goalgraph.envs.household import load_tasks

    tasks = load_tasks(data[0])
    sample = stratified(tasks, 6)
    assert len(sample) == 6 and sample == stratified(list(reversed(tasks)), 6)
    present = {t.family for t in tasks}
    assert {t.family for t in sample} == present
    assert stratified(tasks, None) == tasks and len(stratified(tasks, 1000)) == len(tasks)
