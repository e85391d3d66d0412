"""Embodied-Reasoner on a procedural kitchen: one task, the trajectory with every thought and its pattern.

python examples/embodied_demo.py            # the embedded local model writes the thoughts (offline)
The first pickup is planted to fail once, so the agent has to reflect and retry.
"""

from __future__ import annotations

import asyncio
import random
import textwrap
from typing import Any

from goalgraph.agents.embodied import CooccurrencePrior, build_embodied, run_embodied
from goalgraph.envs.household import HouseholdEnv, SimConfig, generate_scene, procedural_episode, score
from goalgraph.memory import MemoryStore


def main(model: Any = "local", seed: int = 4, kind: str = "pickup_and_put_in_closerep") -> Any:
    """Run one episode and print it; returns the run (trajectory, thoughts, LLM calls)."""
    import goalgraph.llm

    scene, task = procedural_episode(seed, kind=kind)
    # Where things are kept, learned from other procedural kitchens (never the one being solved).
    prior = CooccurrencePrior.learn(
        generate_scene(random.Random(1000 + i), name=f"Train{i}") for i in range(10)
    )
    target = next(o.objectType for o in scene.objects if o.objectId == task.related_objects[0])
    env = HouseholdEnv(scene, SimConfig(flaky_pickups={target: 1}))
    graph = build_embodied(goalgraph.llm.model(model), store=MemoryStore(embedder="hash"), prior=prior)
    print(f"Scene {scene.scene}: {len(scene.objects)} objects. Task ({task.tasktype}): {task.taskquery}")
    print(f"Planted fault: the first pickup of the {target} slips.\n")
    run = asyncio.run(run_embodied(graph, env, task))
    print("Sub-goals:", "; ".join(g.describe() for g in run.goals))
    for n, step in enumerate(run.trajectory[1:], 1):
        mark = "ok " if step.success else "ERR"
        print(f"{n:2d}. [{step.pattern}] {textwrap.shorten(step.thought, 150)}")
        print(f"    -> {step.command}  {mark} {textwrap.shorten(step.feedback, 90) if step.feedback else ''}")
    m = score(task, run.trajectory)
    by_llm = sum(t.by_llm for t in run.thoughts)
    print(
        f"\nsuccess={m.success} efficiency={m.efficiency:.2f} completeness={m.completeness:.2f} "
        f"repeat_rate={m.repeat_rate:.2f} steps={m.steps}; LLM calls={run.llm_calls}, "
        f"thoughts written by the LLM={by_llm}/{len(run.thoughts)}"
    )
    return run


if __name__ == "__main__":
    main()
