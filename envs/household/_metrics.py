"""The paper's episode metrics (evaluate/show_result.py): success, efficiency, completeness, repeat rate.

    m = score(task, env.trajectory)       # EpisodeMetrics(success=1, efficiency=1.0, completeness=1.0, ...)

Rules, as the reference scorer applies them to a trajectory ``[init, a1, …, an, end]``:
- ``init``, ``observe``, ``move forward``, ``navigate to`` and failed actions earn nothing;
- any other successful action earns 1 if ``"action Type"`` (``put in`` counts as ``put``) is still among
  the unmatched key actions (each key action matches once);
- ``end`` earns 1, except for ``single_search``: there it earns 1 only if a type visible at the end occurs
  in the instruction, or the last successful action is itself a key action;
- total reward = key actions that are not ``navigate to`` / ``observe`` / ``move forward``;
- success = reward ≥ total; efficiency = (len(key actions)+1) / len(trajectory) on successes, else 0;
  completeness = reward / total; repeat rate = (navigations − distinct navigated objects) / navigations.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from ._tasks import Task

__all__ = ["EpisodeMetrics", "TrajectoryStep", "score"]

_UNSCORED = ("init", "observe", "move forward", "navigate to", "error")


class TrajectoryStep(BaseModel):
    """One entry of an episode's trajectory, as the scorer reads it."""

    action: str = Field(
        description="Canonical action: 'init', 'navigate to', 'pickup', 'put', …, 'end', 'error'."
    )
    object: str | None = Field(
        default=None, description="Type of the object acted on (the scorer matches types)."
    )
    object_id: str | None = Field(
        default=None, description="The exact object acted on, when one was resolved."
    )
    success: bool = Field(default=True, description="Whether the simulator accepted the action.")
    legal_objects: list[str] = Field(default_factory=list, description="Types visible/interactable after it.")
    feedback: str = Field(default="", description="The simulator's message for the action.")
    command: str = Field(default="", description="The raw command the agent issued.")
    thought: str = Field(default="", description="The agent's thought before the action, if any.")
    pattern: str = Field(default="", description="Thinking pattern of that thought, if any.")


class EpisodeMetrics(BaseModel):
    """Scores of one episode (rates are fractions 0–1)."""

    success: int = Field(description="1 when every scored key action was achieved, else 0.")
    efficiency: float = Field(description="(len(key actions)+1)/len(trajectory) on success, else 0.")
    completeness: float = Field(description="reward / total reward.")
    repeat_rate: float = Field(description="(navigations − distinct navigated objects) / navigations.")
    repeat_rate_by_type: float = Field(
        description="The same counted over object types, as the paper's logs hold."
    )
    reward: int = Field(description="Reward earned.")
    total_reward: int = Field(description="Reward available.")
    steps: int = Field(description="Actions taken (trajectory length minus init and end).")


def _end_reward(task: Task, step: TrajectoryStep, pre_action: str, key_actions: Sequence[str]) -> int:
    if task.tasktype != "single_search":
        return 1
    name = task.taskname.lower()
    if any(obj.lower() in name for obj in step.legal_objects):
        return 1
    return 1 if pre_action in key_actions else 0


def score(task: Task, trajectory: Sequence[TrajectoryStep]) -> EpisodeMetrics:
    """Score a trajectory ``[init, …, end]`` against the task's key actions (see the module doc)."""
    key_actions = task.key_actions
    remaining = list(key_actions)
    reward = 0
    pre_action = ""
    nav_ids: list[str] = []
    nav_types: list[str] = []
    for step in trajectory:
        action, item = step.action, step.object
        if action == "navigate to":
            nav_ids.append(step.object_id or item or "")
            nav_types.append(item or "")
        if action in _UNSCORED or not step.success:
            if step.success:
                pre_action = f"{action} {item}" if item is not None else action
            continue
        if "end" in action:
            reward += _end_reward(task, step, pre_action, key_actions)
        elif item is not None:
            canonical = "put" if action.startswith("put") else action
            if f"{canonical} {item}" in remaining:
                remaining.remove(f"{canonical} {item}")
                reward += 1
        pre_action = f"{action} {item}" if item is not None else action
    total = sum(1 for k in key_actions if not any(u in k for u in ("observe", "move forward", "navigate to")))
    total = max(total, 1)
    success = int(reward / total)
    success = 1 if success >= 1 else 0
    return EpisodeMetrics(
        success=success,
        efficiency=(len(key_actions) + 1) / len(trajectory) if success and trajectory else 0.0,
        completeness=reward / total,
        repeat_rate=(len(nav_ids) - len(set(nav_ids))) / len(nav_ids) if nav_ids else 0.0,
        repeat_rate_by_type=(len(nav_types) - len(set(nav_types))) / len(nav_types) if nav_types else 0.0,
        reward=reward,
        total_reward=total,
        steps=max(len(trajectory) - 2, 0),
    )
