"""The evaluation harness: results contract, asyncio vs Ray, resume after a kill, failing episodes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

import pytest

from goalgraph.evals import EvalConfig, EvalTask, run_eval

sys.path.insert(0, str(Path(__file__).parent))
from _scripted_eval import make_runner, tasks

HERE = Path(__file__).parent


def _strip_timing(document: dict) -> dict:
    episodes = sorted(
        (
            {k: v for k, v in e.items() if k != "metrics"} | {"accuracy": e["metrics"]["accuracy"]}
            for e in document["episodes"]
        ),
        key=lambda e: e["id"],
    )
    return {
        "summary": document["summary"]["agent"]["accuracy"],
        "by_group": document["by_group"],
        "episodes": episodes,
    }


def test_results_contract_table_and_chart(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    document = run_eval(
        tasks(), make_runner, EvalConfig(out=out, metrics=("accuracy", "seconds"), quiet=True)
    )
    on_disk = json.loads(out.read_text())
    assert on_disk["summary"] == document["summary"]
    assert set(on_disk) >= {"summary", "by_group", "episodes"}
    assert on_disk["summary"]["agent"]["episodes"] == 20
    # 0, 7 and 14 are multiples of 7 (0+0, 7+21, 14+42 → 28, 56): the scripted model gets those wrong.
    wrong = {e["id"] for e in on_disk["episodes"] if e["metrics"]["accuracy"] == 0.0}
    assert wrong == {"q0", "q7", "q14"}
    assert on_disk["summary"]["agent"]["accuracy"] == pytest.approx(17 / 20)
    assert set(on_disk["by_group"]["agent"]) == {"even", "odd"}
    assert out.with_suffix(".png").stat().st_size > 1000


def test_failing_episode_is_recorded_not_raised(tmp_path: Path) -> None:
    def factory():  # type: ignore[no-untyped-def]
        def runner(task: EvalTask) -> dict:
            if task.id == "bad":
                raise RuntimeError("environment exploded")
            return {"metrics": {"accuracy": 1.0}}

        return runner

    document = run_eval(
        [EvalTask("good", "agent", "g"), EvalTask("bad", "agent", "g")],
        factory,
        EvalConfig(out=tmp_path / "r.json", metrics=("accuracy",), quiet=True, chart=False),
    )
    bad = next(e for e in document["episodes"] if e["id"] == "bad")
    assert "environment exploded" in bad["error"]
    assert document["summary"]["agent"]["accuracy"] == 1.0


def test_resume_retries_crashed_episodes_only(tmp_path: Path) -> None:
    calls: list[str] = []

    def factory(crash: bool):  # type: ignore[no-untyped-def]
        def runner(task: EvalTask) -> dict:
            calls.append(task.id)
            if crash and task.id == "bad":
                raise RuntimeError("server down")
            return {"metrics": {"accuracy": 1.0}}

        return lambda: runner

    tasks = [EvalTask("good", "agent", "g"), EvalTask("bad", "agent", "g")]
    config = partial(EvalConfig, out=tmp_path / "r.json", metrics=("accuracy",), quiet=True, chart=False)
    run_eval(tasks, factory(crash=True), config())
    document = run_eval(tasks, factory(crash=False), config(resume=True))
    # The finished episode is not rerun; the crashed one is, and its new record replaces the crash.
    assert calls == ["good", "bad", "bad"]
    assert [("error" in e, e["id"]) for e in document["episodes"]] == [(False, "good"), (False, "bad")]
    assert document["summary"]["agent"]["episodes"] == 2
    assert json.loads((tmp_path / "r.json").read_text())["summary"] == document["summary"]


@pytest.mark.slow
def test_ray_backend_matches_asyncio(tmp_path: Path) -> None:
    pytest.importorskip("ray")
    config = partial(EvalConfig, metrics=("accuracy",), quiet=True, chart=False)
    local = run_eval(tasks(), make_runner, config(out=tmp_path / "local.json"))
    on_ray = run_eval(tasks(), make_runner, config(out=tmp_path / "ray.json", backend="ray", ray_workers=2))
    assert len(on_ray["episodes"]) == 20
    assert _strip_timing(on_ray) == _strip_timing(local)


def test_killed_eval_resumes_without_redoing_finished_episodes(tmp_path: Path) -> None:
    out, markers = tmp_path / "results.json", tmp_path / "markers"
    markers.mkdir()
    script = str(HERE / "_scripted_eval.py")
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    child = subprocess.Popen([sys.executable, script, str(out), str(markers), "fresh"], env=env)
    log = out.with_name(out.name + ".episodes.jsonl")
    deadline = time.time() + 120
    while time.time() < deadline and (not log.exists() or len(log.read_text().splitlines()) < 5):
        time.sleep(0.05)
    child.send_signal(signal.SIGKILL)
    child.wait()
    finished_before = {json.loads(line)["id"] for line in log.read_text().splitlines() if line.strip()}
    assert 5 <= len(finished_before) < 20

    subprocess.run(
        [sys.executable, script, str(out), str(markers), "resume"], env=env, check=True, timeout=300
    )
    document = json.loads(out.read_text())
    assert sorted(e["id"] for e in document["episodes"]) == sorted(f"q{i}" for i in range(20))
    runs_per_episode: dict[str, int] = {}
    for marker in markers.iterdir():
        episode = marker.name.split("-")[1]
        runs_per_episode[episode] = runs_per_episode.get(episode, 0) + 1
    for episode in finished_before:
        assert runs_per_episode[episode] == 1, f"{episode} ran again after --resume"
