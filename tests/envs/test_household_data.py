"""Loading real scenes and tasks; procedural generation; the reference trajectories replay in the simulator."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest

from goalgraph.envs.household import (
    HouseholdEnv,
    SceneError,
    TaskError,
    generate_scene,
    generate_tasks,
    load_scene,
    load_scenes,
    load_tasks,
    procedural_episode,
    score,
)


def _replay(env: HouseholdEnv, task) -> int:  # type: ignore[no-untyped-def]
    env.reset(task)
    for a in task.task_metadata.actions:
        if a.action == "end" or env.done:
            break
        name = env.handle(a.objectId) if a.objectId in env.objects else a.objectType
        env.step(f"{a.action} {name}")
    if not env.done:
        env.step("end")
    return score(task, env.trajectory).success


def test_bad_files_give_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "FloorPlanX.json"
    bad.write_text("{not json")
    with pytest.raises(SceneError, match=r"FloorPlanX\.json"):
        load_scene(bad)
    bad.write_text(json.dumps({"scene": "X", "objects": [{"objectType": "A"}]}))
    with pytest.raises(SceneError, match="objectId"):
        load_scene(bad)
    with pytest.raises(SceneError, match="not found"):
        load_scenes(tmp_path / "nope")
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text('{"scene": "X"}\n')
    with pytest.raises(TaskError, match=r"tasks.jsonl:1: field"):
        load_tasks(tasks)


def test_procedural_scenes_are_seeded_and_solvable() -> None:
    a = generate_scene(random.Random(5))
    b = generate_scene(random.Random(5))
    assert a == b
    for seed in range(6):
        scene, _ = procedural_episode(seed)
        tasks = generate_tasks(scene, random.Random(seed), n=15)
        env = HouseholdEnv(scene)
        assert sum(_replay(env, t) for t in tasks) == len(tasks)


def test_reference_trajectories_replay(shared_data: Path) -> None:
    root = shared_data / "embodied"
    scenes = load_scenes(root / "scenes")
    tasks = load_tasks(root / "tasks.jsonl")
    assert len(tasks) == 530
    families = Counter(t.family for t in tasks)
    assert set(families) == {"search", "manipulate", "transport", "composite"}
    ok = sum(_replay(HouseholdEnv(scenes[t.scene]), t) for t in tasks)
    # Two long-range tasks are unreachable under AI2-THOR's rules (a burner is not toggleable; one lists
    # a pickup of an object the instruction never mentions): everything else replays to success.
    assert ok >= 528
