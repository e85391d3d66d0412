"""Embodied-Reasoner tasks: instruction, key actions, task type → family and step limit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

__all__ = [
    "FAMILIES",
    "FAMILY_OF",
    "Family",
    "KeyAction",
    "Task",
    "TaskError",
    "TaskMetadata",
    "load_tasks",
    "max_steps",
]

Family = Literal["search", "manipulate", "transport", "composite"]

# The paper's grouping of the eleven task types (evaluate/show_result.py: S, M, T, C).
FAMILY_OF: dict[str, Family] = {
    "single_search": "search",
    "single_search_from_closerep": "search",
    "single_pickup": "manipulate",
    "single_pickup_from_closerep": "manipulate",
    "single_toggle": "manipulate",
    "pickup_and_put": "transport",
    "pickup_and_put_in_closerep": "transport",
    "pickup_from_closerep_and_put": "transport",
    "pickup_from_closerep_and_put_in_closerep": "transport",
    "ordered_pickup_two_object_and_put": "composite",
    "long-range tasks with dependency relationships": "composite",
}
FAMILIES: tuple[Family, ...] = ("search", "manipulate", "transport", "composite")

# Step limits from the paper's evaluate/utils.py (get_max_steps); unknown types get the longest.
_MAX_STEPS = {"search": 22, "manipulate": 24, "transport": 30, "composite": 36}


def max_steps(tasktype: str) -> int:
    """The step budget for a task type (the ``init`` step included, as in the paper's loop)."""
    family = FAMILY_OF.get(tasktype)
    if tasktype.startswith("ordered_pickup_two_object_and_put"):
        family = "composite"
    return _MAX_STEPS[family] if family else 36


class TaskError(ValueError):
    """A task file that cannot be read; the message names the file, line and field."""


class KeyAction(BaseModel):
    """One key action of a task: what the reference trajectory does, matched by object *type*."""

    action: str = Field(description="'navigate to', 'pickup', 'put', 'toggle', 'open', 'close' or 'end'.")
    objectId: str = Field(default="", description="The object the reference trajectory acted on.")
    objectType: str = Field(default="", description="Its type; scoring matches on 'action type'.")
    reward: int = Field(default=1, description="Reward for achieving it.")

    @property
    def key(self) -> str:
        """The string the scorer matches: ``'pickup Apple'``, ``'end'``."""
        return f"{self.action} {self.objectType}".strip()


class TaskMetadata(BaseModel):
    """The task's reference data."""

    actions: list[KeyAction] = Field(description="Key actions, in reference order (ends with 'end').")
    totalreward: int = Field(default=0, description="Total reward stated by the data set.")


class Task(BaseModel):
    """One Embodied-Reasoner task (a line of ``tasks.jsonl``)."""

    scene: str = Field(description="Scene name, e.g. 'FloorPlan1'.")
    tasktype: str = Field(description="One of the eleven task types.")
    taskquery: str = Field(description="The instruction the agent receives.")
    taskname: str = Field(default="", description="Instruction used by the search-task end check.")
    identity: int | str = Field(default=0, description="Task id within the data set.")
    instruction_idx: int = Field(default=0, description="Index of the instruction variant.")
    task_metadata: TaskMetadata = Field(description="Key actions and reward.")
    target_objects: list[str] = Field(default_factory=list, description="Receptacles the reference visits.")
    related_objects: list[str] = Field(default_factory=list, description="Objects the task is about.")
    navigable_objects: list[str] = Field(
        default_factory=list, description="Types the reference navigates to."
    )

    def model_post_init(self, context: object, /) -> None:
        if not self.taskname:
            self.taskname = self.taskquery

    @property
    def family(self) -> Family:
        """search / manipulate / transport / composite."""
        if self.tasktype.startswith("ordered_pickup_two_object_and_put"):
            return "composite"
        return FAMILY_OF.get(self.tasktype, "composite")

    @property
    def key_actions(self) -> list[str]:
        """Key action strings as the scorer sees them."""
        return [a.key for a in self.task_metadata.actions]

    @property
    def max_steps(self) -> int:
        """Step limit for this task's type."""
        return max_steps(self.tasktype)

    @property
    def uid(self) -> str:
        """A unique id: identity, type, scene and instruction index (as the paper names result dirs)."""
        return f"{self.identity}_{self.tasktype}_{self.scene}_{self.instruction_idx}"


def load_tasks(path: str | Path) -> list[Task]:
    """Read a ``tasks.jsonl`` file; a bad line raises `TaskError` naming file, line and field."""
    p = Path(path)
    if not p.is_file():
        raise TaskError(f"task file not found: {p}")
    out: list[Task] = []
    for n, line in enumerate(p.read_text().splitlines(), 1):
        if not line.strip():
            continue
        try:
            out.append(Task.model_validate(json.loads(line)))
        except json.JSONDecodeError as e:
            raise TaskError(f"{p}:{n}: not valid JSON ({e.msg})") from e
        except ValidationError as e:
            first = e.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            raise TaskError(f"{p}:{n}: field {where!r}: {first['msg']}") from e
    if not out:
        raise TaskError(f"{p}: no tasks")
    return out
