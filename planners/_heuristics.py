"""Admissible heuristics for the bitset A*: h_max and LM-cut.

Both work on the delete relaxation of the compiled task: ``acts`` is a list of ``(pre mask, add mask,
cost)`` and a state is an int whose bits are the facts that hold. Each factory returns a function
``state -> (estimate, partition)``; ``partition`` is ``None`` or, for LM-cut, a mapping from an action's
position in ``acts`` to the part of its cost that the estimate charged to it. A* uses that to bound a
child's estimate without evaluating it (see `child_bound`).

h_max (Bonet & Geffner 2001): the cost of the most expensive goal fact in the delete relaxation, where a
fact costs the cheapest action adding it plus the most expensive of that action's preconditions.
Admissible: every real plan from s is a relaxed plan, and a relaxed plan contains for each goal fact g a
chain of actions reaching g whose costs sum to at least h_max(g). Consistent as well.

LM-cut (Helmert & Domshlak 2009): repeat { compute h_max with the current costs; if the goal costs 0,
stop; give every action a precondition of maximal h_max (its "pcf"); the goal zone is every fact from
which the goal's pcf is reached by edges pcf(a) → add(a) of zero-cost actions; the cut is every action
whose pcf is reachable from the state without entering the goal zone and which adds a goal-zone fact;
add the cut's cheapest cost m to the estimate and subtract m from every action in the cut }.
Admissible: each cut is a disjunctive action landmark (the first action of any plan that adds a
goal-zone fact has all its preconditions, so its pcf, outside the zone and reachable, so it is in the
cut), and the subtraction is a cost partitioning — an action's charges over all cuts never exceed its
cost, so any plan pays at least the sum of the m's. Not consistent, so A* reopens states.
It dominates h_max (each round lowers the goal's h_max by at most the round's m, and the rounds end when
it reaches 0) and is far stronger where sub-goals are independent and costs vary, as in typed tool
domains.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Mapping

__all__ = ["Heuristic", "child_bound", "make_hmax", "make_lmcut"]

_INF = float("inf")
# Costs are floats that LM-cut keeps subtracting from; anything this small counts as spent.
_EPS = 1e-9

Heuristic = Callable[[int], tuple[float, Mapping[int, float] | None]]
"""A state → (admissible estimate, cost partition by action position or None)."""


def _bits(x: int) -> list[int]:
    out = []
    while x:
        low = x & -x
        out.append(low.bit_length() - 1)
        x ^= low
    return out


def child_bound(estimate: float, partition: Mapping[int, float] | None, position: int, cost: float) -> float:
    """An admissible estimate for the child reached by the action at `position`, from its parent's.

    Without a partition: estimate − cost (consistency). With LM-cut's: the parent's landmarks that do
    not contain the action are still landmarks of the child (a plan from the child, prefixed with the
    action, is a plan from the parent), so the child keeps every charge except the action's own.
    """
    bound = estimate - (cost if partition is None else partition.get(position, 0.0))
    return bound if bound > 0.0 else 0.0


def _unit_hmax(acts: list[tuple[int, int, float]], goal: int, unit: float) -> Heuristic:
    layered = [(p, a) for p, a, _ in acts]

    def h_unit(s: int) -> tuple[float, None]:
        if s & goal == goal:
            return 0.0, None
        reached = s
        pending = [pa for pa in layered if pa[1] & ~s]
        level = 0
        while True:
            new = reached
            rest = []
            for pa in pending:
                p = pa[0]
                if reached & p == p:
                    new |= pa[1]
                else:
                    rest.append(pa)
            level += 1
            if new & goal == goal:
                return level * unit, None
            if new == reached:
                return _INF, None
            reached, pending = new, rest

    return h_unit


def make_hmax(acts: list[tuple[int, int, float]], nfacts: int, goal: int, unit: float | None) -> Heuristic:
    """h_max; layered breadth-first when every action costs `unit`, Dijkstra over facts otherwise."""
    if unit is not None:
        return _unit_hmax(acts, goal, unit)
    needs: list[list[int]] = [[] for _ in range(nfacts)]
    template = []
    for k, (p, _, _) in enumerate(acts):
        template.append(p.bit_count())
        for f in _bits(p):
            needs[f].append(k)
    free = [k for k, n in enumerate(template) if n == 0]

    def h_cost(s: int) -> tuple[float, None]:
        # Each fact is settled once, at its h_max cost; an action fires when its last precondition settles.
        if s & goal == goal:
            return 0.0, None
        remaining = template[:]
        heap: list[tuple[float, int]] = [(acts[k][2], acts[k][1]) for k in free]
        heapq.heapify(heap)  # unsorted, the first action without preconditions would pop first: inadmissible
        fresh = s
        reached = 0
        now = 0.0
        while True:
            fresh &= ~reached
            reached |= fresh
            if reached & goal == goal:
                return now, None
            x = fresh
            while x:
                low = x & -x
                x ^= low
                for k in needs[low.bit_length() - 1]:
                    remaining[k] -= 1
                    if remaining[k] == 0:
                        _, add, cost = acts[k]
                        if add & ~reached:
                            heapq.heappush(heap, (now + cost, add))
            fresh = 0
            while heap and not fresh:
                now, added = heapq.heappop(heap)
                fresh = added & ~reached
                while heap and heap[0][0] <= now:
                    fresh |= heapq.heappop(heap)[1] & ~reached
            if not fresh:
                return _INF, None

    return h_cost


def make_lmcut(acts: list[tuple[int, int, float]], nfacts: int, goal: int) -> Heuristic:
    """LM-cut, returning the estimate and the cost each action was charged (see the module docstring).

    h_max is computed in full once per state; after each cut only the facts whose cost drops are
    updated (costs only fall, so this is a Dijkstra over the decreases, as Fast Downward does).
    """
    n = len(acts)
    adds = [a for _, a, _ in acts]
    base_costs = [c for _, _, c in acts]
    # Fact `start` (index nfacts) holds in every state and is the precondition of the actions that have
    # none, so they need no special case.
    start = nfacts
    pre_bits = [_bits(p) or [start] for p, _, _ in acts]
    add_bits = [_bits(a) for a in adds]
    needs: list[list[int]] = [[] for _ in range(nfacts + 1)]
    adders: list[list[int]] = [[] for _ in range(nfacts + 1)]
    for k in range(n):
        for f in pre_bits[k]:
            needs[f].append(k)
        for f in add_bits[k]:
            adders[f].append(k)
    template = [len(b) for b in pre_bits]
    goal_facts = _bits(goal)
    unreached = -1
    push, pop = heapq.heappush, heapq.heappop

    def full_hmax(
        state_facts: list[int], cost: list[float], value: list[float], premax: list[float], pcf: list[int]
    ) -> None:
        # Every fact's h_max; each fired action's pcf (the precondition whose settling fired it, a
        # costliest one since facts settle in order of cost) and that precondition's cost.
        remaining = template[:]
        heap: list[tuple[float, int]] = []
        for f in state_facts:
            value[f] = 0.0
            heap.append((0.0, f))
        settled = 0
        while heap:
            v, f = pop(heap)
            if v > value[f] or settled >> f & 1:
                continue
            settled |= 1 << f
            for k in needs[f]:
                left = remaining[k] - 1
                remaining[k] = left
                if left == 0:
                    pcf[k] = f
                    premax[k] = v
                    reached = v + cost[k]
                    for g in add_bits[k]:
                        if reached < value[g]:
                            value[g] = reached
                            push(heap, (reached, g))

    def lower_hmax(
        cut: list[int], cost: list[float], value: list[float], premax: list[float], pcf: list[int]
    ) -> None:
        # The cut's actions got cheaper: propagate the decreases. An action's cost changes only when its
        # pcf (its costliest precondition) drops; then the new costliest precondition is its pcf.
        heap: list[tuple[float, int]] = []
        for k in cut:
            reached = premax[k] + cost[k]
            for g in add_bits[k]:
                if reached < value[g]:
                    value[g] = reached
                    heap.append((reached, g))
        heapq.heapify(heap)
        while heap:
            v, f = pop(heap)
            if v > value[f]:
                continue
            for k in needs[f]:
                if pcf[k] != f:
                    continue
                top_value, top = v, f  # on a tie the pcf stays: stable pcfs give stronger cuts
                for p in pre_bits[k]:
                    if value[p] > top_value:
                        top_value, top = value[p], p
                pcf[k] = top
                if top_value < premax[k]:
                    premax[k] = top_value
                    reached = top_value + cost[k]
                    for g in add_bits[k]:
                        if reached < value[g]:
                            value[g] = reached
                            push(heap, (reached, g))

    def lmcut(s: int) -> tuple[float, Mapping[int, float] | None]:
        if s & goal == goal:
            return 0.0, {}
        cost = base_costs[:]
        value = [_INF] * (nfacts + 1)
        premax = [_INF] * n
        pcf = [unreached] * n
        state_facts = [*_bits(s), start]
        full_hmax(state_facts, cost, value, premax, pcf)
        charged: dict[int, float] = {}
        total = 0.0
        while True:
            top = max(goal_facts, key=value.__getitem__)
            if value[top] == _INF:
                return _INF, None
            if value[top] <= _EPS:
                return total, charged
            zone = 1 << top
            stack = [top]
            while stack:
                for k in adders[stack.pop()]:
                    p = pcf[k]
                    if p >= 0 and cost[k] <= _EPS and not zone >> p & 1:
                        zone |= 1 << p
                        stack.append(p)
            # The reach zone, depth first from the state through pcf edges, never entering the goal zone;
            # the cut is every action met on the way that adds a goal-zone fact.
            cut: list[int] = []
            blocked = zone | s | 1 << start
            stack = state_facts[:]
            while stack:
                f = stack.pop()
                for k in needs[f]:
                    if pcf[k] != f:
                        continue
                    added = adds[k]
                    if added & zone:
                        cut.append(k)
                    fresh = added & ~blocked
                    if fresh:
                        blocked |= fresh
                        for g in add_bits[k]:
                            if fresh >> g & 1:
                                stack.append(g)
            if not cut:  # cannot happen while the goal costs > 0 (see above); stop rather than loop
                return total, charged
            m = min(cost[k] for k in cut)
            total += m
            for k in cut:
                cost[k] -= m
                charged[k] = charged.get(k, 0.0) + m
            lower_hmax(cut, cost, value, premax, pcf)

    return lmcut
