"""A* over bitset states with an admissible heuristic (LM-cut or h_max, see `_heuristics.py`).

Hand-written because no maintained permissively-licensed Python library does cost-optimal STRIPS
search with add/delete effects at this speed (pyperplan is GPL and several times slower).

Encoding. Every (condition, value) pair that some precondition or goal mentions is one bit; a state is
a Python int. "c is unknown" is the absence of both the c=true and the c=false bit, so unknown
satisfies no precondition. An action is (pre mask, add mask, keep mask): applicable when
``s & pre == pre``, successor ``(s & keep) | add``. Facts no precondition or goal mentions are
dropped, which merges states that differ only in irrelevant facts (sound: costs are fixed per round).

Heuristics. Both are admissible, so the first goal state popped is optimal; LM-cut is not consistent,
so a state reached again more cheaply is reopened. Children are queued with a bound inherited from the
parent (h − cost, or for LM-cut the parent's landmarks the action does not hit) and evaluated only when
popped (`child_bound`): with LM-cut, a child off the optimal path usually keeps the parent's estimate,
so its f rises and it is never evaluated at all. LM-cut is the default: it costs ~10× h_max per state
but expands 10–2,000× fewer (blocks world, logistics, typed tool domains; benchmarks/goap_bench.py).
(Embabel's "number of unsatisfied goal conditions" is not admissible: one action can satisfy several,
and costs may be below 1.)

Ties: the heap holds (f, h, counter, state): lower f, then lower h (closer to the goal), then the
earlier generated node — and actions are sorted by name — so the same input always gives the same plan.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from goalgraph.tools import Tool

from ._compile import Compiled, Fact, compile_task, relevant
from ._heuristics import Heuristic, child_bound, make_hmax, make_lmcut
from ._model import Action, Goal, HeuristicName, SearchBudget
from ._plan import MissingCondition, NearestState, NoPlan, Plan, explain, fmt
from ._state import Blackboard, Predicate, WorldState

__all__ = ["AStarPlanner", "PlanningProblem", "plan"]

_INF = float("inf")


def _as_action(item: Action | Tool[Any, Any]) -> Action:
    if isinstance(item, Action):
        return item
    if isinstance(item, Tool):
        return Action.from_tool(item)
    raise TypeError(f"expected an Action or a Tool, got {type(item).__name__}")


def _as_goals(goals: Goal | type | str | Sequence[Goal | type | str]) -> list[Goal]:
    items: Sequence[Goal | type | str] = [goals] if isinstance(goals, Goal | type | str) else goals
    out = [g if isinstance(g, Goal) else Goal.of(g) for g in items]
    if not out:
        raise ValueError("plan() needs at least one goal")
    return out


@dataclass
class _Result:
    path: list[int] | None
    cost: float
    expanded: int
    nearest_path: list[int]
    nearest_cost: float
    nearest_state: int
    out_of_budget: bool


def _heuristic(c: Compiled, idx: list[int], goal: int, choice: HeuristicName) -> Heuristic:
    relaxed = [(c.pre[i], c.add[i], c.costs[i]) for i in idx]
    if choice == "lmcut":
        return make_lmcut(relaxed, len(c.facts), goal)
    return make_hmax(relaxed, len(c.facts), goal, c.unit)


def _astar(
    c: Compiled,
    idx: list[int],
    goal: int,
    budget: SearchBudget,
    bound: float = _INF,
    heuristic: HeuristicName = "lmcut",
) -> _Result:
    h = _heuristic(c, idx, goal, heuristic)
    acts = [(c.pre[i], c.add[i], c.keep[i], c.costs[i], i) for i in idx]
    start = c.init
    h0, partition0 = h(start)
    g: dict[int, float] = {start: 0.0}
    parent: dict[int, tuple[int, int]] = {}
    hcache: dict[int, float] = {start: h0}
    # LM-cut's cost partition per evaluated state, for bounding its children without evaluating them.
    partitions: dict[int, Mapping[int, float] | None] = {start: partition0}
    closed: set[int] = set()
    heap: list[tuple[float, float, int, int, float]] = [(h0, h0, 0, start, 0.0)]
    counter = 1
    expanded = 0
    deadline = time.perf_counter() + budget.max_seconds
    max_nodes = budget.max_nodes
    best_missing = (goal & ~start).bit_count()
    best_state, best_g = start, 0.0
    out_of_budget = False
    found: int | None = None
    if h0 == _INF or h0 >= bound:
        heap = []
    pop, push = heapq.heappop, heapq.heappush
    while heap:
        _, hs, _, s, gpushed = pop(heap)
        if s in closed:
            continue
        gs = g[s]
        if gpushed > gs:  # stale entry: s was re-pushed with a smaller g
            continue
        if s not in hcache:
            # Lazy evaluation: children are queued with a bound inherited from the parent (`child_bound`),
            # and the real estimate is computed only when one is popped; if it is larger the node goes
            # back. Optimality is unchanged, but most generated children are never evaluated.
            real, partition = h(s)
            real = max(real, hs)  # pathmax: LM-cut is not consistent, the inherited bound may be higher
            hcache[s] = real
            partitions[s] = partition
            if real == _INF or gs + real >= bound:
                closed.add(s)
                continue
            if real > hs:
                push(heap, (gs + real, real, counter, s, gs))
                counter += 1
                continue
        if s & goal == goal:
            found = s
            break
        closed.add(s)
        expanded += 1
        missing = (goal & ~s).bit_count()
        if missing < best_missing or (missing == best_missing and gs < best_g and best_missing > 0):
            best_missing, best_state, best_g = missing, s, gs
        if expanded >= max_nodes or (expanded & 1023 == 0 and time.perf_counter() > deadline):
            out_of_budget = True
            break
        hs = hcache[s]
        partition = partitions[s]
        for position, (p, ad, kp, cost, i) in enumerate(acts):
            if s & p == p:
                t = (s & kp) | ad
                if t == s:
                    continue
                ng = gs + cost
                old = g.get(t)
                if old is not None and ng >= old:
                    continue
                ht = hcache.get(t)
                if ht is None:
                    ht = child_bound(hs, partition, position, cost)
                elif ht == _INF:
                    continue
                if ng + ht >= bound:
                    continue
                g[t] = ng
                parent[t] = (s, i)
                closed.discard(t)
                push(heap, (ng + ht, ht, counter, t, ng))
                counter += 1

    def path_to(s: int) -> list[int]:
        steps = []
        while s in parent:
            s, i = parent[s]
            steps.append(i)
        steps.reverse()
        return steps

    if found is not None:
        steps = path_to(found)
        return _Result(steps, g[found], expanded, steps, g[found], found, False)
    return _Result(None, _INF, expanded, path_to(best_state), best_g, best_state, out_of_budget)


def _missing(
    c: Compiled, goal: Goal, state: WorldState, all_actions: Sequence[Action]
) -> list[MissingCondition]:
    out = []
    for cond, value in goal.conditions.items():
        if c.reachable_fact((cond, value)):
            continue
        producers = [a for a in all_actions if a.effects.get(cond) == value]
        blocked = {
            a.name: [fmt(pc, pv) for pc, pv in a.pre.items() if not c.reachable_fact((pc, pv), state)]
            for a in producers
        }
        out.append(
            MissingCondition(
                condition=cond,
                wanted=value,
                current=state[cond].value,
                producers=[a.name for a in producers],
                blocked_by=blocked,
            )
        )
    return out


def _root_causes(c: Compiled, goal: Goal, all_actions: Sequence[Action]) -> list[str]:
    """Walk back from the unreachable goal facts through their producers' unreachable preconditions to
    the facts nobody produces."""
    producers: dict[Fact, list[Action]] = {}
    for a in all_actions:
        for fact in a.effects.items():
            producers.setdefault(fact, []).append(a)
    todo = [f for f in goal.conditions.items() if not c.reachable_fact(f)]
    seen: set[Fact] = set()
    roots: list[str] = []
    while todo:
        fact = todo.pop(0)
        if fact in seen:
            continue
        seen.add(fact)
        makers = producers.get(fact, [])
        if not makers:
            roots.append(fmt(*fact))
        for a in makers:
            todo.extend(p for p in a.pre.items() if p in c.bit and not c.reachable_fact(p))
    return roots


def _world_state(
    state: WorldState | Blackboard | Mapping[str, Any] | Iterable[str] | None,
    names: set[str],
    predicates: Mapping[str, Predicate] | None,
) -> WorldState:
    if state is None:
        return WorldState()
    if isinstance(state, WorldState):
        return state
    if isinstance(state, Blackboard):
        return state.world_state(names, predicates)
    return WorldState(state)


class AStarPlanner:
    """Cost-optimal GOAP planner: A* with an admissible heuristic (LM-cut or h_max) over bitset states.

    planner = AStarPlanner(SearchBudget(max_nodes=50_000, max_seconds=2))
    result = planner.plan(tools, Goal.of(Answer), Blackboard([question]))
    print(result)        # a Plan table, or a NoPlan diagnostic
    """

    def __init__(self, budget: SearchBudget | None = None, *, heuristic: HeuristicName = "lmcut") -> None:
        self.budget = budget or SearchBudget()
        """Node and time limits for each search."""
        if heuristic not in ("lmcut", "hmax"):
            raise ValueError(f"heuristic must be 'lmcut' or 'hmax', not {heuristic!r}")
        self.heuristic: HeuristicName = heuristic
        """The A* heuristic (see `HeuristicName`)."""

    def plan(
        self,
        actions: Iterable[Action | Tool[Any, Any]],
        goals: Goal | type | str | Sequence[Goal | type | str],
        state: WorldState | Blackboard | Mapping[str, Any] | Iterable[str] | None = None,
        *,
        blacklist: Iterable[str] = (),
        predicates: Mapping[str, Predicate] | None = None,
    ) -> Plan | NoPlan:
        """The plan with the best goal value minus cost over `goals` (the cheapest plan for one goal), or a
        `NoPlan` saying why there is none. `state` may be a `WorldState`, a `Blackboard` (its world state
        with `predicates`), a mapping of condition values, or the names of the true conditions."""
        started = time.perf_counter()
        goal_list = _as_goals(goals)
        banned = set(blacklist)
        everything = [_as_action(a) for a in actions]
        names = [a.name for a in everything]
        if len(set(names)) != len(names):
            duplicates = sorted({n for n in names if names.count(n) > 1})
            raise ValueError(f"action names must be unique; repeated: {', '.join(duplicates)}")
        usable = sorted((a for a in everything if a.name not in banned), key=lambda a: a.name)
        mentioned = {c for a in everything for c in (*a.pre, *a.effects)}
        mentioned |= {c for g in goal_list for c in g.conditions}
        world = _world_state(state, mentioned, predicates)
        blacklisted = sorted(banned & set(names))
        compiled = compile_task(usable, goal_list, world)

        best: Plan | None = None
        first_failure: NoPlan | None = None
        expanded = 0
        for goal in goal_list:
            goal_mask = compiled.mask(goal.conditions)
            bound = _INF if best is None else goal.value - best.net_value
            if best is not None and bound <= 0:
                continue
            if compiled.reachable & goal_mask != goal_mask:
                if first_failure is None:
                    first_failure = self._unreachable(compiled, goal, world, everything, blacklisted, started)
                continue
            idx = relevant(compiled, goal_mask)
            result = _astar(compiled, idx, goal_mask, self.budget, bound, self.heuristic)
            expanded += result.expanded
            if result.path is not None:
                steps = [compiled.actions[i] for i in result.path]
                best = explain(
                    steps,
                    [compiled.costs[i] for i in result.path],
                    goal,
                    start=world,
                    expanded=expanded,
                    seconds=time.perf_counter() - started,
                )
            elif first_failure is None and bound == _INF:
                first_failure = NoPlan(
                    goal=goal.name,
                    reason="budget" if result.out_of_budget else "exhausted",
                    nearest=self._nearest(
                        compiled, goal, result.nearest_path, result.nearest_cost, result.nearest_state
                    ),
                    blacklisted=blacklisted,
                    expanded=result.expanded,
                    seconds=time.perf_counter() - started,
                )
        if best is not None:
            return best
        assert first_failure is not None
        return first_failure

    def _nearest(self, c: Compiled, goal: Goal, path: list[int], cost: float, state: int) -> NearestState:
        unsatisfied = [
            fmt(cond, v) for cond, v in goal.conditions.items() if not state >> c.bit[(cond, v)] & 1
        ]
        return NearestState(actions=[c.actions[i].name for i in path], cost=cost, unsatisfied=unsatisfied)

    def _unreachable(
        self,
        c: Compiled,
        goal: Goal,
        world: WorldState,
        everything: list[Action],
        blacklisted: list[str],
        started: float,
    ) -> NoPlan:
        reason: Literal["no_actions", "unreachable"] = "no_actions" if not c.actions else "unreachable"
        missing = _missing(c, goal, world, everything)
        roots = _root_causes(c, goal, everything)
        # The nearest state: the cheapest plan for the part of the goal that is reachable, found with a
        # small budget so a diagnostic never costs more than a plan.
        reachable_part = {k: v for k, v in goal.conditions.items() if c.reachable_fact((k, v))}
        nearest = NearestState(unsatisfied=[fmt(k, v) for k, v in goal.conditions.items()])
        expanded = 0
        if reachable_part:
            mask = c.mask(reachable_part)
            small = SearchBudget(
                max_nodes=min(self.budget.max_nodes, 20_000), max_seconds=min(self.budget.max_seconds, 1.0)
            )
            result = _astar(c, relevant(c, mask), mask, small, heuristic=self.heuristic)
            expanded = result.expanded
            nearest = self._nearest(c, goal, result.nearest_path, result.nearest_cost, result.nearest_state)
        return NoPlan(
            goal=goal.name,
            reason=reason,
            missing=missing,
            root_causes=roots,
            nearest=nearest,
            blacklisted=blacklisted,
            expanded=expanded,
            seconds=time.perf_counter() - started,
        )


@dataclass(frozen=True)
class PlanningProblem:
    """A planning problem as one value: actions, goals and the start state.

    PlanningProblem(actions, Goal.of("on_a_b"), WorldState({"clear_a": True})).solve()
    """

    actions: Sequence[Action | Tool[Any, Any]]
    """The actions (or tools) available."""
    goals: Goal | type | str | Sequence[Goal | type | str]
    """One goal, or several with values."""
    state: WorldState | Blackboard | Mapping[str, Any] | Iterable[str] | None = None
    """The start state (see `AStarPlanner.plan`)."""

    def solve(
        self,
        budget: SearchBudget | None = None,
        *,
        blacklist: Iterable[str] = (),
        heuristic: HeuristicName = "lmcut",
    ) -> Plan | NoPlan:
        """Solve with `AStarPlanner`."""
        planner = AStarPlanner(budget, heuristic=heuristic)
        return planner.plan(self.actions, self.goals, self.state, blacklist=blacklist)


def plan(
    actions: Iterable[Action | Tool[Any, Any]],
    goals: Goal | type | str | Sequence[Goal | type | str],
    state: WorldState | Blackboard | Mapping[str, Any] | Iterable[str] | None = None,
    *,
    budget: SearchBudget | None = None,
    blacklist: Iterable[str] = (),
    predicates: Mapping[str, Predicate] | None = None,
    heuristic: HeuristicName = "lmcut",
) -> Plan | NoPlan:
    """Plan with `AStarPlanner`: the cheapest plan (best value − cost over several goals), or a `NoPlan`."""
    planner = AStarPlanner(budget, heuristic=heuristic)
    return planner.plan(actions, goals, state, blacklist=blacklist, predicates=predicates)
