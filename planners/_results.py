"""What an executor run ends with (`Done` or `Stuck`), its budget, and the replan signal."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, Field

from ._model import SearchBudget
from ._plan import NoPlan, Plan
from ._state import Blackboard

__all__ = ["Budget", "Done", "Event", "Replan", "Stuck", "outcome"]

T = TypeVar("T")


class Replan(Exception):
    """Raise from inside a tool to ask for a new plan without blacklisting the tool.

    `updates` are objects to put on the blackboard first (by name), e.g. what the tool learned.

        raise Replan("the index was rebuilt; search again", updates={"hint": Hint(...)})
    """

    def __init__(self, reason: str = "", updates: Mapping[str, Any] | None = None) -> None:
        super().__init__(reason or "replan requested")
        self.reason = reason
        self.updates = dict(updates or {})


@dataclass(frozen=True)
class Budget:
    """When an executor run gives up (ending in `Stuck`, never an exception or an endless loop)."""

    max_actions: int = 50
    """Most action runs (successful or not)."""
    max_seconds: float = 600.0
    """Most wall-clock seconds from the first planning round (across resumes)."""
    max_attempts: int = 3
    """Failures after which an action is never planned again in this run."""
    search: SearchBudget = field(default_factory=SearchBudget)
    """Limits of each planning round's A* search."""


class Event(BaseModel):
    """One action run by the executor."""

    action: str = Field(description="The action (tool) name.")
    status: Literal["ok", "failed", "replan"] = Field(description="How it ended.")
    reason: str = Field(default="", description="The failure or replan reason.")
    round: int = Field(default=0, description="The planning round that chose it.")


class _Outcome(BaseModel):
    goal: str = Field(default="", description="The goal the run pursued (the one reached, for `Done`).")
    entries: list[dict[str, Any]] = Field(default_factory=list, description="The final blackboard entries.")
    facts: dict[str, bool | None] = Field(default_factory=dict, description="Asserted facts at the end.")
    plans: list[Plan] = Field(default_factory=list, description="Every planning round's plan, in order.")
    events: list[Event] = Field(default_factory=list, description="Every action run, in order.")

    @property
    def blackboard(self) -> Blackboard:
        """The final blackboard."""
        return Blackboard.from_entries(self.entries, self.facts)

    def get(self, tp: type[T]) -> T | None:
        """The latest object of type `tp` on the final blackboard."""
        return self.blackboard.get(tp)

    def distinct_plans(self) -> list[Plan]:
        """The plans whose action sequence differs from the previous round's remainder (what changed)."""
        out: list[Plan] = []
        for candidate in self.plans:
            if (
                not out
                or candidate.actions != out[-1].actions[-len(candidate.actions) :]
                or not candidate.actions
            ):
                out.append(candidate)
        return out


class Done(_Outcome):
    """The goal holds. `get(Type)` reads results off the final blackboard."""

    status: Literal["done"] = "done"

    def __bool__(self) -> bool:
        return True


class Stuck(_Outcome):
    """The run cannot reach the goal: no plan (see `diagnostic`) or the budget ran out."""

    status: Literal["stuck"] = "stuck"
    reason: Literal["no_plan", "max_actions", "max_seconds"] = Field(description="Why the run stopped.")
    diagnostic: NoPlan | None = Field(
        default=None, description="The planner's diagnostic, when no plan exists."
    )

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        head = f"Stuck ({self.reason}) pursuing {self.goal} after {len(self.events)} action runs"
        return head + ("\n" + str(self.diagnostic) if self.diagnostic is not None else "")


def outcome(state: Mapping[str, Any]) -> Done | Stuck:
    """The `Done` or `Stuck` result in an executor's final graph state (from ``invoke``)."""
    record = state.get("result")
    if not record:
        raise ValueError(
            "the graph state has no result yet (the run was interrupted; invoke it again to resume)"
        )
    if isinstance(record, Done | Stuck):
        return record
    return Done.model_validate(record) if record.get("status") == "done" else Stuck.model_validate(record)
