"""Procedural scenes, tasks and a prior learned from other procedural scenes (no shared data needed)."""

from __future__ import annotations

import random

import pytest

from goalgraph.agents.embodied import CooccurrencePrior
from goalgraph.envs.household import Scene, Task, generate_scene, procedural_episode
from goalgraph.memory import MemoryStore


@pytest.fixture(scope="session")
def prior() -> CooccurrencePrior:
    """Learned from ten training kitchens whose seeds no test scene uses."""
    return CooccurrencePrior.learn(
        generate_scene(random.Random(1000 + i), name=f"Train{i}") for i in range(10)
    )


@pytest.fixture()
def store() -> MemoryStore:
    """A fresh shared-memory store (in memory)."""
    return MemoryStore(embedder="hash")


def episode(kind: str, seed: int = 0) -> tuple[Scene, Task]:
    """The first procedural episode of task type `kind` at or after `seed`."""
    for s in range(seed, seed + 60):
        try:
            return procedural_episode(s, kind=kind)
        except ValueError:
            continue
    raise AssertionError(f"no procedural episode of type {kind}")
