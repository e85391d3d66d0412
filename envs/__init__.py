"""Environments agents act in: the household simulator (`goalgraph.envs.household`).

from goalgraph.envs.household import HouseholdEnv, procedural_episode
scene, task = procedural_episode(seed=1); env = HouseholdEnv(scene); print(env.reset(task).text)
"""

__all__: list[str] = []
