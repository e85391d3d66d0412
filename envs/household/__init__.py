"""A text household simulator over AI2-THOR scene metadata, with Embodied-Reasoner's tasks and metrics.

env = HouseholdEnv(load_scene("FloorPlan1.json")); obs = env.reset(task)
env.step("navigate to Fridge"); env.step("open Fridge"); env.step("end")
print(score(task, env.trajectory))          # success, efficiency, completeness, repeat rate
"""

from ._env import HouseholdEnv, parse_command
from ._metrics import EpisodeMetrics, TrajectoryStep, score
from ._procgen import generate_scene, generate_tasks, procedural_episode
from ._scene import Position, Scene, SceneError, SceneObject, load_scene, load_scenes
from ._tasks import (
    FAMILIES,
    FAMILY_OF,
    Family,
    KeyAction,
    Task,
    TaskError,
    TaskMetadata,
    load_tasks,
    max_steps,
)
from ._views import ACTIONS, ObjectView, Observation, SimConfig, StepResult

__all__ = [
    "ACTIONS",
    "FAMILIES",
    "FAMILY_OF",
    "EpisodeMetrics",
    "Family",
    "HouseholdEnv",
    "KeyAction",
    "ObjectView",
    "Observation",
    "Position",
    "Scene",
    "SceneError",
    "SceneObject",
    "SimConfig",
    "StepResult",
    "Task",
    "TaskError",
    "TaskMetadata",
    "TrajectoryStep",
    "generate_scene",
    "generate_tasks",
    "load_scene",
    "load_scenes",
    "load_tasks",
    "max_steps",
    "parse_command",
    "procedural_episode",
    "score",
]
