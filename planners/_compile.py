"""The bitset encoding of one planning round: facts as bits, actions as masks, relaxed reachability.

    compiled = compile_task(actions, goals, world_state)
    goal_mask = compiled.mask(goal.conditions)
    useful = relevant(compiled, goal_mask)          # the actions that can contribute to that goal

Encoding: see `_astar.py`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ._model import Action, Goal, _wanted
from ._state import WorldState, condition_of

__all__ = ["Compiled", "Fact", "compile_task", "relevant"]

Fact = tuple[str, bool]
"""A (condition, value) pair: one bit of the encoding."""


@dataclass
class Compiled:
    """One planning round's actions as bit masks; per-action lists are aligned with `actions`."""

    facts: list[Fact]
    """The facts, in bit order."""
    bit: dict[Fact, int]
    """Fact → its bit index."""
    init: int
    """The start state."""
    actions: list[Action]
    """The usable actions, sorted by name."""
    costs: list[float]
    """Each action's cost in the start state."""
    pre: list[int]
    """Each action's precondition mask."""
    add: list[int]
    """Each action's add mask."""
    keep: list[int]
    """Each action's mask of facts it does not delete."""
    all_mask: int = 0
    """Every fact's bit."""
    reachable: int = 0
    """The facts reachable in the delete relaxation from `init`."""
    unit: float | None = None
    """The common cost when all actions cost the same, else None."""

    def reachable_fact(self, fact: Fact, state: WorldState | None = None) -> bool:
        """Whether `fact` holds now or can be made to hold. A fact that no usable action or goal mentions
        (say, only a blacklisted action's precondition) has no bit: then only `state` can tell."""
        index = self.bit.get(fact)
        if index is None:
            return state is not None and state[fact[0]] is condition_of(fact[1])
        return bool(self.reachable >> index & 1)

    def mask(self, conditions: Mapping[str, bool]) -> int:
        """The mask of these condition values (each must have a bit)."""
        m = 0
        for c, v in conditions.items():
            m |= 1 << self.bit[(c, v)]
        return m


def compile_task(actions: Sequence[Action], goals: Sequence[Goal], state: WorldState) -> Compiled:
    """Encode `actions` and `goals` as bit masks over the facts they mention, from `state`."""
    facts_set: set[Fact] = set()
    for a in actions:
        facts_set.update(a.pre.items())
    for g in goals:
        facts_set.update(g.conditions.items())
    facts = sorted(facts_set)
    bit = {f: i for i, f in enumerate(facts)}
    init = 0
    for (c, v), i in bit.items():
        if state[c] is _wanted(v):
            init |= 1 << i
    all_mask = (1 << len(facts)) - 1
    pre, add, keep, costs = [], [], [], []
    for a in actions:
        p = ad = de = 0
        for c, v in a.pre.items():
            p |= 1 << bit[(c, v)]
        for c, v in a.effects.items():
            if (c, v) in bit:
                ad |= 1 << bit[(c, v)]
            if (c, not v) in bit:
                de |= 1 << bit[(c, not v)]
        pre.append(p)
        add.append(ad)
        keep.append(all_mask & ~de)
        costs.append(a.cost_in(state))
    compiled = Compiled(facts, bit, init, list(actions), costs, pre, add, keep, all_mask)
    compiled.reachable = _relaxed_reach(init, [(pre[i], add[i]) for i in range(len(actions))])
    distinct = set(costs)
    compiled.unit = costs[0] if len(distinct) == 1 else None
    return compiled


def _relaxed_reach(init: int, acts: list[tuple[int, int]]) -> int:
    reached = init
    pending = acts
    while True:
        new = reached
        rest = []
        for p, a in pending:
            if new & p == p:
                new |= a
            else:
                rest.append((p, a))
        if new == reached:
            return reached
        reached, pending = new, rest


def relevant(c: Compiled, goal_mask: int) -> list[int]:
    """Indices of actions that can contribute to the goal (backwards, ignoring deletes), applicable in the
    relaxation, and with an add effect at all."""
    needed = goal_mask
    chosen: set[int] = set()
    candidates = [i for i in range(len(c.actions)) if c.add[i] and c.reachable & c.pre[i] == c.pre[i]]
    changed = True
    while changed:
        changed = False
        for i in candidates:
            if i not in chosen and c.add[i] & needed:
                chosen.add(i)
                if c.pre[i] & ~needed:
                    needed |= c.pre[i]
                    changed = True
    return sorted(chosen)
