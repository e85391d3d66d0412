"""Planning vocabulary: actions (from tools or plain STRIPS add/delete lists) and goals with values."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from goalgraph.tools import Tool, type_condition

from ._state import Condition, WorldState

__all__ = ["Action", "Goal", "HeuristicName", "SearchBudget", "parse_conditions"]

ActionCost = float | Callable[[WorldState], float]

HeuristicName = Literal["lmcut", "hmax"]
"""A*'s admissible heuristic: ``"lmcut"`` (the default; far fewer states) or ``"hmax"`` (cheaper per state)."""


def _wanted(value: bool) -> Condition:
    return Condition.TRUE if value else Condition.FALSE


def parse_conditions(spec: Mapping[str, bool] | Iterable[Any]) -> dict[str, bool]:
    """Normalise condition specs to ``{name: wanted value}``.

    Accepts a mapping, or an iterable of: a condition name (wanted true), ``"not NAME"`` / ``"!NAME"``
    (wanted false), a ``(name, bool)`` pair, or a type (``has:Type`` wanted true).
    """
    if isinstance(spec, Mapping):
        return {str(k): bool(v) for k, v in spec.items()}
    out: dict[str, bool] = {}
    for item in spec:
        if isinstance(item, type):
            out[type_condition(item)] = True
        elif isinstance(item, tuple) and len(item) == 2:
            out[str(item[0])] = bool(item[1])
        elif isinstance(item, str):
            text = item.strip()
            if text.startswith("!"):
                out[text[1:].strip()] = False
            elif text.startswith("not "):
                out[text[4:].strip()] = False
            else:
                out[text] = True
        else:
            raise TypeError(
                f"cannot read {item!r} as a condition (use a name, 'not NAME', (name, bool) or a type)"
            )
    return out


@dataclass(frozen=True)
class Action:
    """Something the planner can choose: preconditions and effects (``{condition: value}``) and a cost.

    Effects may set conditions false (STRIPS delete lists). Build one from a tool with
    `Action.from_tool`, or directly for a plain planning problem:

        Action("stack_a_b", pre={"holding_a": True, "clear_b": True},
               effects={"on_a_b": True, "holding_a": False, "clear_b": False})
    """

    name: str
    """Unique name (a tool's name when built from a tool)."""
    pre: Mapping[str, bool] = field(default_factory=dict)
    """Conditions that must have these values before the action runs."""
    effects: Mapping[str, bool] = field(default_factory=dict)
    """Conditions that have these values after it runs."""
    cost: ActionCost = 1.0
    """A non-negative number, or a function of the world state in which planning starts."""
    rerunnable: bool = False
    """Whether the executor may run it again after it has succeeded once."""
    tool: Tool[Any, Any] | None = field(default=None, compare=False, repr=False)
    """The tool the executor runs for this action (none for pure planning problems)."""

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("an Action needs a non-empty name")
        object.__setattr__(self, "pre", dict(parse_conditions(self.pre)))
        object.__setattr__(self, "effects", dict(parse_conditions(self.effects)))
        if not self.effects:
            raise ValueError(f"action {self.name!r} has no effects, so no plan could ever need it")

    @classmethod
    def from_tool(
        cls,
        tool: Tool[Any, Any],
        *,
        pre: Mapping[str, bool] | Iterable[Any] = (),
        effects: Mapping[str, bool] | Iterable[Any] = (),
        cost: ActionCost | None = None,
    ) -> Action:
        """The action for a tool: its `preconditions` / `effects` (``has:<Type>`` from its input and
        output types plus its explicit ``requires`` / ``produces``), extra conditions, its cost."""
        merged_pre = {c: True for c in sorted(tool.preconditions)} | parse_conditions(pre)
        merged_effects = {c: True for c in sorted(tool.effects)} | parse_conditions(effects)
        chosen: ActionCost = (
            cost if cost is not None else (tool.cost if callable(tool.cost) else float(tool.cost))
        )
        return cls(
            name=tool.name,
            pre=merged_pre,
            effects=merged_effects,
            cost=chosen,
            rerunnable=tool.rerunnable,
            tool=tool,
        )

    def cost_in(self, state: WorldState) -> float:
        """The action's cost when planning from `state`; must be a finite number ≥ 0."""
        value = float(self.cost(state)) if callable(self.cost) else float(self.cost)
        if not value >= 0 or value == float("inf"):
            raise ValueError(f"action {self.name!r} has cost {value!r}; costs must be finite and >= 0")
        return value

    def applicable(self, state: WorldState) -> bool:
        """Whether every precondition has its wanted value in `state` (unknown satisfies none)."""
        return all(state[c] is _wanted(v) for c, v in self.pre.items())


@dataclass(frozen=True)
class Goal:
    """Conditions to reach, with a value used to choose among several goals (best value − cost).

    Goal.of(Answer)                                 # has:Answer
    Goal.of("report_sent", "not door_open", value=10)
    """

    name: str
    """Name shown in plans and diagnostics."""
    conditions: Mapping[str, bool]
    """Condition name → value it must have."""
    value: float = 0.0
    """How much reaching this goal is worth; with several goals the plan maximising value − cost wins."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "conditions", dict(parse_conditions(self.conditions)))
        if not self.conditions:
            raise ValueError(f"goal {self.name!r} has no conditions")

    @classmethod
    def of(cls, *targets: Any, value: float = 0.0, name: str | None = None) -> Goal:
        """A goal from types (``has:Type``) and condition specs (see `parse_conditions`)."""
        conditions = parse_conditions(targets)
        label = name or " & ".join(c if v else f"not {c}" for c, v in conditions.items())
        return cls(name=label, conditions=conditions, value=value)

    def satisfied(self, state: WorldState) -> bool:
        """Whether every condition of the goal has its wanted value in `state`."""
        return all(state[c] is _wanted(v) for c, v in self.conditions.items())


@dataclass(frozen=True)
class SearchBudget:
    """Limits on one A* search; exceeding one gives a `NoPlan` with reason ``"budget"``."""

    max_nodes: int = 200_000
    """Most states expanded."""
    max_seconds: float = 10.0
    """Most wall-clock seconds."""
