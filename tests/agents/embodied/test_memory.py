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
    memory = ExplorationMemory(store, "ep1")
    host = (
        next(o.on for o in env.step("navigate to CounterTop_1").observation.visible if o.on) or "CounterTop_1"
    )
    obs = env.observe_state("look", True, "")
    memory.saw(obs)
    memory.searched(host, [o.handle for o in obs.visible if o.on == host])
    assert memory.was_searched(host) and not memory.was_searched("Fridge")
    small = next(o for o in obs.visible if o.pickupable)
    assert memory.where(small.type)[0]["handle"] == small.handle
    assert store.get(("embodied", "ep1", "searched"), host) is not None
    # Another episode has its own record.
    assert not ExplorationMemory(store, "ep2").was_searched(host)
    memory.moved(small.handle, None)
    assert memory.where(small.type) == []  # carried: not at any place any more
    memory.forget()
    assert not memory.was_searched(host) and store.search(("embodied", "ep1")) == []
