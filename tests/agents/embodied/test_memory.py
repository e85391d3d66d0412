"""Exploration memory in the shared MemoryStore: where the agent looked and what it saw, per episode."""

from __future__ import annotations

from goalgraph.agents.embodied import ExplorationMemory
from goalgraph.envs.household import HouseholdEnv
from goalgraph.memory import MemoryStore

from .conftest import episode


def test_sightings_and_searches_live_in_the_store(store: MemoryStore) -> None:
    scene, task = episode("single_pickup")
    env = HouseholdEnv(scene)
    env.reset(task)
    item = task.related_objects[0]
    host = env.handle(env.anchor(item))  # the furniture the task's object rests on
    obs = env.step(f"navigate to {host}").observation
    memory = ExplorationMemory(store, "ep1")
    memory.saw(obs)
    memory.searched(host, [o.handle for o in obs.visible if o.on == host])
    assert memory.was_searched(host) and not memory.was_searched("Fridge")
    small = env.view(item)
    assert [(s["handle"], s["on"]) for s in memory.where(small.type)] == [(small.handle, host)]
    assert store.get(("embodied", "ep1", "searched"), host) is not None
    # Another episode has its own record.
    assert not ExplorationMemory(store, "ep2").was_searched(host)
    memory.moved(small.handle, None)
    assert memory.where(small.type) == []  # carried: not at any place any more
    memory.forget()
    assert not memory.was_searched(host) and store.search(("embodied", "ep1")) == []
