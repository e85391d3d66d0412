"""The embodied evaluation: the agent and the ReAct baseline on the same tasks, model and simulator.

    document = run_embodied_eval(EmbodiedEvalConfig(tasks=Path("tasks.jsonl"), scenes=Path("scenes"),
                                                    out=Path("results.json")))
    document["summary"]["agent"]["success"], document["paired"]["react"]["repeat_rate"]

The agent runs on every task (or a stratified `limit`); ReAct on a stratified `baseline_limit` sample of
them. The co-occurrence prior is learned, for each scene, from the *other* scenes of the scene directory
(leave-one-scene-out), unless a saved prior is given: no episode ever sees its own scene's layout.
"""

from __future__ import annotations

import hashlib
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from goalgraph.envs.household import FAMILIES, HouseholdEnv, Scene, Task, load_scenes, load_tasks, score
from goalgraph.evals import EvalConfig, EvalTask, run_eval, write_results

from ._agent import build_embodied, run_embodied
from ._prior import CooccurrencePrior
from ._react import run_react
from ._types import AgentConfig

__all__ = ["METRICS", "SYSTEMS", "EmbodiedEvalConfig", "load_inputs", "run_embodied_eval", "stratified"]

SYSTEMS = ("agent", "react")
METRICS = (
    "success",
    "efficiency",
    "completeness",
    "repeat_rate",
    "repeat_rate_by_type",
    "steps",
    "seconds",
    "llm_calls",
)


@dataclass(frozen=True)
class EmbodiedEvalConfig:
    """One evaluation run."""

    tasks: Path
    """A ``tasks.jsonl`` in the Embodied-Reasoner format."""
    scenes: Path
    """The directory of ``FloorPlanN.json`` scenes the tasks refer to."""
    out: Path
    """Results JSON (the episode log and a PNG chart are written beside it)."""
    limit: int | None = None
    """Agent tasks: a stratified deterministic sample of this size (None: all)."""
    model: str = "local"
    """Model spec for `goalgraph.llm.model`; ``none`` runs the agent with composed thoughts only."""
    systems: tuple[str, ...] = SYSTEMS
    """Which systems run."""
    baseline_limit: int = 50
    """ReAct tasks: a stratified sample of this size drawn from the agent's tasks."""
    concurrency: int = 4
    """Episodes in flight (the embedded model decodes one request at a time; planning overlaps it)."""
    prior: Path | None = None
    """A saved `CooccurrencePrior` to use for every scene instead of leave-one-scene-out learning."""
    resume: bool = False
    """Skip episodes an interrupted run already finished."""
    quiet: bool = False
    """No progress bar or tables."""
    agent: AgentConfig = field(default_factory=AgentConfig)
    """Agent settings."""


def _order(task: Task) -> str:
    return hashlib.sha1(task.uid.encode()).hexdigest()


def stratified(tasks: Sequence[Task], n: int | None) -> list[Task]:
    """A deterministic sample of `n` tasks: families as equal as their sizes allow, task types spread
    within each family, order by a hash of the task id (any prefix of the result covers every family)."""
    if n is None or n >= len(tasks):
        return list(tasks)
    by_family: dict[str, list[Task]] = {}
    for fam in FAMILIES:
        by_type: dict[str, list[Task]] = defaultdict(list)
        for t in sorted((t for t in tasks if t.family == fam), key=_order):
            by_type[t.tasktype].append(t)
        # Interleave the family's task types, so a small share still holds every type.
        lanes = [by_type[k] for k in sorted(by_type)]
        by_family[fam] = [
            lane[i] for i in range(max(map(len, lanes), default=0)) for lane in lanes if i < len(lane)
        ]
    quota = dict.fromkeys(by_family, 0)
    left = n
    while left > 0:
        moved = False
        for name, items in by_family.items():
            if left and quota[name] < len(items):
                quota[name] += 1
                left -= 1
                moved = True
        if not moved:
            break
    picked = {fam: items[: quota[fam]] for fam, items in by_family.items()}
    return [
        part[i] for i in range(max(quota.values(), default=0)) for part in picked.values() if i < len(part)
    ]


def load_inputs(config: EmbodiedEvalConfig) -> tuple[list[Task], dict[str, Scene]]:
    """Read and cross-check tasks and scenes; a problem raises `ValueError` naming the file and field."""
    tasks = load_tasks(config.tasks)
    scenes = load_scenes(config.scenes)
    for n, t in enumerate(tasks, 1):
        if t.scene not in scenes:
            raise ValueError(
                f"{config.tasks}: task {n} (field 'scene'): scene {t.scene!r} is not in {config.scenes} "
                f"(it has {', '.join(sorted(scenes)[:8])})"
            )
    uids = [t.uid for t in tasks]
    if len(set(uids)) != len(uids):
        dup = next(u for u in uids if uids.count(u) > 1)
        raise ValueError(
            f"{config.tasks}: duplicate task id {dup!r} (identity, tasktype, scene, instruction_idx)"
        )
    return tasks, scenes


class _Runner:
    """Runs one episode of either system (built once per worker: the model, priors and graphs)."""

    def __init__(
        self, config: EmbodiedEvalConfig, tasks: Sequence[Task], scenes: Mapping[str, Scene]
    ) -> None:
        from goalgraph.llm import model as resolve
        from goalgraph.memory import MemoryStore

        self.config = config
        self.tasks = {t.uid: t for t in tasks}
        self.scenes = dict(scenes)
        self.model = None if config.model == "none" else resolve(config.model)
        # Exploration memory of every episode in one shared store (each episode its own namespace).
        self.store = MemoryStore()
        saved = CooccurrencePrior.load(config.prior) if config.prior else None
        self.priors = {
            name: saved or CooccurrencePrior.for_scene(self.scenes, held_out=name) for name in self.scenes
        }
        self._graphs: dict[str, Any] = {}

    def graph(self, scene: str) -> Any:
        if scene not in self._graphs:
            self._graphs[scene] = build_embodied(
                self.model, store=self.store, config=self.config.agent, prior=self.priors[scene]
            )
        return self._graphs[scene]

    async def __call__(self, task: EvalTask) -> dict[str, Any]:
        return await self._episode(task.system, self.tasks[task.id])

    async def _episode(self, system: str, task: Task) -> dict[str, Any]:
        env = HouseholdEnv(self.scenes[task.scene])
        started, t0 = time.time(), time.perf_counter()
        thoughts_by_llm = errors = 0
        if system == "agent":
            run = await run_embodied(self.graph(task.scene), env, task, forget=True)
            calls, trajectory = run.llm_calls, run.trajectory
            thoughts_by_llm = sum(th.by_llm for th in run.thoughts)
        else:
            react = await run_react(env, task, model=self.model)
            calls, trajectory, errors = react.llm_calls, env.trajectory, react.errors
        seconds = time.perf_counter() - t0
        m = score(task, trajectory)
        return {
            "tasktype": task.tasktype,
            "scene": task.scene,
            "instruction": task.taskquery,
            "started": started,
            "ended": time.time(),
            "thoughts_by_llm": thoughts_by_llm,
            "llm_errors": errors,
            "metrics": {
                "success": m.success,
                "efficiency": m.efficiency,
                "completeness": m.completeness,
                "repeat_rate": m.repeat_rate,
                "repeat_rate_by_type": m.repeat_rate_by_type,
                "steps": m.steps,
                "seconds": seconds,
                "llm_calls": calls,
            },
            "trajectory": [
                {"command": s.command, "success": s.success, "pattern": s.pattern, "thought": s.thought}
                for s in trajectory
            ],
        }


def _paired(episodes: Sequence[Mapping[str, Any]], systems: Sequence[str]) -> dict[str, dict[str, float]]:
    """Means per system over the tasks every system ran (the like-for-like comparison)."""
    ids: set[str] | None = None
    for s in systems:
        mine = {str(e["id"]) for e in episodes if e["system"] == s and e.get("metrics")}
        ids = mine if ids is None else ids & mine
    out: dict[str, dict[str, float]] = {}
    for s in systems:
        rows = [e["metrics"] for e in episodes if e["system"] == s and str(e["id"]) in (ids or set())]
        if rows:
            out[s] = {m: sum(float(r.get(m, 0.0)) for r in rows) / len(rows) for m in METRICS} | {
                "episodes": len(rows)
            }
    return out


def _wall(episodes: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Wall-clock seconds per system and in all (``total``): the time at least one of its episodes ran.

    The union of the episodes' intervals, not first start to last end: a run stopped and finished later
    with ``--resume`` would otherwise count the pause, and overlapping episodes (several in flight) count once.
    """
    intervals: dict[str, list[tuple[float, float]]] = {}
    for e in episodes:
        if "started" in e and "ended" in e:
            interval = (float(e["started"]), float(e["ended"]))
            intervals.setdefault(str(e["system"]), []).append(interval)
            intervals.setdefault("total", []).append(interval)
    return {name: _covered(spans) for name, spans in intervals.items()}


def _covered(intervals: list[tuple[float, float]]) -> float:
    """Length of the union of `intervals`."""
    covered, reach = 0.0, float("-inf")
    for start, end in sorted(intervals):
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered


def run_embodied_eval(config: EmbodiedEvalConfig) -> dict[str, Any]:
    """Run the configured systems and write the results file; returns the document."""
    tasks, scenes = load_inputs(config)
    agent_tasks = stratified(tasks, config.limit)
    react_tasks = stratified(agent_tasks, config.baseline_limit)
    plan = [("agent", agent_tasks), ("react", react_tasks)]
    # The agent's episodes first, then the baseline's: each system's wall time is then its own.
    items = [
        EvalTask(id=t.uid, system=s, group=t.family, payload={"scene": t.scene, "tasktype": t.tasktype})
        for s, chosen in plan
        if s in config.systems
        for t in chosen
    ]
    document = run_eval(
        items,
        lambda: _Runner(config, tasks, scenes),
        EvalConfig(
            out=config.out,
            metrics=METRICS,
            concurrency=config.concurrency,
            resume=config.resume,
            quiet=config.quiet,
            title="embodied",
            extra={
                "model": config.model,
                "tasks_file": str(config.tasks),
                "scenes_dir": str(config.scenes),
                "prior": str(config.prior) if config.prior else "leave-one-scene-out over scenes_dir",
                "agent_tasks": len(agent_tasks) if "agent" in config.systems else 0,
                "react_tasks": len(react_tasks) if "react" in config.systems else 0,
            },
        ),
    )
    episodes = document["episodes"]
    document["paired"] = _paired(episodes, [s for s in SYSTEMS if s in config.systems])
    document["wall_seconds"] = _wall(episodes)
    write_results(config.out, document)
    if not config.quiet:
        _print_extras(document)
    return document


def _print_extras(document: Mapping[str, Any]) -> None:
    import sys

    from rich.console import Console
    from rich.table import Table

    console = Console(stderr=True, width=None if sys.stderr.isatty() else 110)
    # Compact per-family table (short headers, so it stays readable in an 80-column log).
    fam = Table(title="per family")
    for col in ("system", "family", "n", "succ", "eff", "compl", "rep", "steps", "s/task", "llm/task"):
        fam.add_column(col, justify="left" if col in ("system", "family") else "right")
    for system, groups in document["by_group"].items():
        rows = [("all", document["summary"][system])] + [(g, groups[g]) for g in FAMILIES if g in groups]
        for group, v in rows:
            n = v.get("episodes") or sum(
                1 for e in document["episodes"] if e["system"] == system and e["group"] == group
            )
            fam.add_row(
                system if group == "all" else "",
                group,
                str(n),
                *(
                    f"{v.get(m, float('nan')):.3f}"
                    for m in ("success", "efficiency", "completeness", "repeat_rate")
                ),
                f"{v.get('steps', float('nan')):.1f}",
                f"{v.get('seconds', float('nan')):.1f}",
                f"{v.get('llm_calls', float('nan')):.2f}",
            )
    console.print(fam)
    table = Table(title="same sampled tasks (paired) and wall time")
    for col in ("system", "n", "succ", "rep", "rep_type", "llm/task", "wall s"):
        table.add_column(col, justify="right" if col != "system" else "left")
    for system, values in document["paired"].items():
        table.add_row(
            system,
            str(values["episodes"]),
            f"{values['success']:.3f}",
            f"{values['repeat_rate']:.3f}",
            f"{values['repeat_rate_by_type']:.3f}",
            f"{values['llm_calls']:.2f}",
            f"{document['wall_seconds'].get(system, float('nan')):.0f}",
        )
    console.print(table)
