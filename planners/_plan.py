"""Planning results: a `Plan` that explains itself, or a `NoPlan` diagnostic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ._model import Action, Goal
from ._state import WorldState

__all__ = ["MissingCondition", "NearestState", "NoPlan", "Plan", "PlanStep", "explain"]


def fmt(condition: str, value: bool) -> str:
    """``cond`` or ``not cond``."""
    return condition if value else f"not {condition}"


def _render(renderable: Any) -> str:
    import io

    from rich.console import Console

    console = Console(width=120, record=True, file=io.StringIO(), color_system=None)
    console.print(renderable)
    return console.export_text().rstrip()


class PlanStep(BaseModel):
    """One step of a plan: the action, its cost, and why it is there."""

    model_config = ConfigDict(frozen=True)

    action: str = Field(description="Name of the action (tool).")
    cost: float = Field(description="Its cost in the state planning started from.")
    pre: dict[str, bool] = Field(default_factory=dict, description="Its preconditions.")
    effects: dict[str, bool] = Field(default_factory=dict, description="Its effects.")
    why: list[str] = Field(
        default_factory=list,
        description="Which precondition of which later step, or which goal condition, it provides.",
    )


class Plan(BaseModel):
    """The cheapest sequence of actions found for a goal. Prints as a table (step, action, cost, why).

    Truthy, unlike `NoPlan`, so ``if (result := plan(...)):`` reads naturally.
    """

    model_config = ConfigDict(frozen=True)

    goal: str = Field(description="Name of the goal the plan reaches.")
    goal_conditions: dict[str, bool] = Field(default_factory=dict, description="The goal's conditions.")
    goal_value: float = Field(default=0.0, description="The goal's value.")
    steps: list[PlanStep] = Field(default_factory=list, description="The actions, in order.")
    cost: float = Field(default=0.0, description="Sum of the steps' costs.")
    expanded: int = Field(default=0, description="States the search expanded.")
    seconds: float = Field(default=0.0, description="Wall-clock planning time.")

    def __bool__(self) -> bool:
        return True

    @property
    def actions(self) -> list[str]:
        """The action names, in order."""
        return [s.action for s in self.steps]

    @property
    def net_value(self) -> float:
        """Goal value minus plan cost."""
        return self.goal_value - self.cost

    def table(self) -> Any:
        """A rich `Table` of the plan."""
        from rich.table import Table

        table = Table(
            title=f"Plan for {self.goal}: {len(self.steps)} steps, cost {self.cost:g}", title_justify="left"
        )
        table.add_column("step", justify="right")
        table.add_column("action")
        table.add_column("cost", justify="right")
        table.add_column("why")
        for number, step in enumerate(self.steps, 1):
            table.add_row(str(number), step.action, f"{step.cost:g}", "\n".join(step.why) or "-")
        return table

    def __rich__(self) -> Any:
        return self.table()

    def __str__(self) -> str:
        if not self.steps:
            return f"Plan for {self.goal}: the goal already holds (no steps)"
        return _render(self.table())


class MissingCondition(BaseModel):
    """A goal (or needed) condition that no sequence of the available actions can make hold."""

    model_config = ConfigDict(frozen=True)

    condition: str = Field(description="The condition's name.")
    wanted: bool = Field(description="The value the goal needs.")
    current: str = Field(description="Its value in the start state: true, false or unknown.")
    producers: list[str] = Field(
        default_factory=list, description="Actions that could set it (each blocked); empty when none can."
    )
    blocked_by: dict[str, list[str]] = Field(
        default_factory=dict, description="For each producer, its preconditions that can never hold."
    )

    def describe(self) -> str:
        """One human-readable line."""
        head = f"{fmt(self.condition, self.wanted)} (now {self.current})"
        if not self.producers:
            return f"{head}: no available action produces it"
        blocked = "; ".join(
            f"{a} needs {', '.join(self.blocked_by.get(a, [])) or '?'}" for a in self.producers
        )
        return f"{head}: its producers are blocked ({blocked})"


class NearestState(BaseModel):
    """The explored state closest to the goal: how to get there and what is still missing."""

    model_config = ConfigDict(frozen=True)

    actions: list[str] = Field(default_factory=list, description="Actions leading there from the start.")
    cost: float = Field(default=0.0, description="Their total cost.")
    unsatisfied: list[str] = Field(
        default_factory=list, description="Goal conditions that do not hold there."
    )


class NoPlan(BaseModel):
    """Why no plan was found: unreachable goal conditions, the nearest state, the search effort.

    Falsy, so ``if not result:`` catches it.
    """

    model_config = ConfigDict(frozen=True)

    goal: str = Field(description="Name of the goal (the first one when several were asked).")
    reason: Literal["unreachable", "exhausted", "budget", "no_actions"] = Field(
        description="unreachable: some condition can never hold even ignoring deletes; exhausted: the whole "
        "reachable space was searched; budget: the node/time budget ran out; no_actions: nothing to plan with."
    )
    missing: list[MissingCondition] = Field(
        default_factory=list, description="Goal conditions that cannot be produced."
    )
    root_causes: list[str] = Field(
        default_factory=list,
        description="Conditions (goal or needed on the way) that no available action produces at all and do "
        "not hold now: what to add to the tools, the blackboard or the predicates.",
    )
    nearest: NearestState = Field(
        default_factory=NearestState, description="Closest state the search reached."
    )
    blacklisted: list[str] = Field(default_factory=list, description="Actions excluded from this search.")
    expanded: int = Field(default=0, description="States the search expanded.")
    seconds: float = Field(default=0.0, description="Wall-clock planning time.")

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        lines = [f"No plan for {self.goal} ({self.reason}; {self.expanded} states expanded)"]
        lines += [f"  missing: {m.describe()}" for m in self.missing]
        if self.root_causes:
            lines.append(f"  root causes (nothing produces them): {', '.join(self.root_causes)}")
        if self.nearest.unsatisfied:
            path = " -> ".join(self.nearest.actions) or "(start)"
            lines.append(
                f"  nearest state: after {path}, still missing {', '.join(self.nearest.unsatisfied)}"
            )
        if self.blacklisted:
            lines.append(f"  blacklisted: {', '.join(self.blacklisted)}")
        return "\n".join(lines)


def explain(
    actions: Sequence[Action],
    costs: Sequence[float],
    goal: Goal,
    *,
    start: WorldState | None = None,
    expanded: int = 0,
    seconds: float = 0.0,
) -> Plan:
    """Build a `Plan` whose steps say which later precondition (or goal condition) each one provides.

    A step provides condition c=v to a later consumer when it is the last step before the consumer
    that sets c=v (the causal link of partial-order planning).
    """
    why: list[list[str]] = [[] for _ in actions]

    def supporter(before: int, condition: str, value: bool) -> int | None:
        for index in range(before - 1, -1, -1):
            if actions[index].effects.get(condition) == value:
                return index
        return None

    for j, action in enumerate(actions):
        for condition, value in action.pre.items():
            i = supporter(j, condition, value)
            if i is not None:
                why[i].append(f"{fmt(condition, value)} for step {j + 1} ({action.name})")
    for condition, value in goal.conditions.items():
        i = supporter(len(actions), condition, value)
        if i is not None:
            why[i].append(f"{fmt(condition, value)} for the goal")
    steps = [
        PlanStep(action=a.name, cost=c, pre=dict(a.pre), effects=dict(a.effects), why=w)
        for a, c, w in zip(actions, costs, why, strict=True)
    ]
    return Plan(
        goal=goal.name,
        goal_conditions=dict(goal.conditions),
        goal_value=goal.value,
        steps=steps,
        cost=float(sum(costs)),
        expanded=expanded,
        seconds=seconds,
    )


def plan_from_record(record: Mapping[str, Any]) -> Plan:
    """A `Plan` from its `model_dump()` (as kept in an executor's checkpointed state)."""
    return Plan.model_validate(record)
