"""LM-cut and h_max: admissible, LM-cut dominates h_max, and A* with either returns optimal plans.

Optimal costs come from a plain uniform-cost search over the explicit state space, written here.
"""

from __future__ import annotations

import heapq
import random

import pytest

from goalgraph.planners import Action, AStarPlanner, Goal, Plan, WorldState, plan
from goalgraph.planners._heuristics import child_bound, make_hmax, make_lmcut


def _random_task(seed: int) -> tuple[list[Action], Goal, WorldState]:
    rng = random.Random(seed)
    facts = [f"f{i}" for i in range(rng.randint(5, 8))]
    actions = []
    for k in range(rng.randint(6, 14)):
        pre = {f: True for f in rng.sample(facts, rng.randint(0, 2))}
        added = rng.sample(facts, rng.randint(1, 2))
        deleted = [f for f in rng.sample(facts, rng.randint(0, 2)) if f not in added]
        effects = {f: False for f in deleted} | {f: True for f in added}
        cost = rng.choice([0.0, 0.5, 1.0, 1.0, 2.0, 3.5])
        actions.append(Action(f"a{k}", pre=pre, effects=effects, cost=cost))
    start = WorldState({f: True for f in rng.sample(facts, 2)})
    goal = Goal.of(*rng.sample(facts, rng.randint(1, 3)))
    return actions, goal, start


def _true_facts(state: WorldState, facts: set[str]) -> frozenset[str]:
    return frozenset(f for f in facts if state[f].value == "true")


def _optimal_cost(actions: list[Action], goal: Goal, start: WorldState) -> float | None:
    facts = {f for a in actions for f in (*a.pre, *a.effects)} | set(goal.conditions)
    origin = _true_facts(start, facts)
    best = {origin: 0.0}
    heap = [(0.0, sorted(origin))]
    while heap:
        g, listed = heapq.heappop(heap)
        state = frozenset(listed)
        if g > best[state]:
            continue
        if all(f in state for f in goal.conditions):
            return g
        for a in actions:
            if all(f in state for f in a.pre):
                nxt = frozenset(
                    {f for f in state if a.effects.get(f, True)} | {f for f, v in a.effects.items() if v}
                )
                cost = g + float(a.cost)  # type: ignore[arg-type]
                if cost < best.get(nxt, float("inf")):
                    best[nxt] = cost
                    heapq.heappush(heap, (cost, sorted(nxt)))
    return None


def _replay(result: Plan, goal: Goal, start: WorldState) -> bool:
    facts = {f for step in result.steps for f in (*step.pre, *step.effects)}
    state = set(_true_facts(start, facts | set(goal.conditions)))
    for step in result.steps:
        if not all(f in state for f in step.pre):
            return False
        state = {f for f in state if step.effects.get(f, True)} | {f for f, v in step.effects.items() if v}
    return all(f in state for f in goal.conditions)


@pytest.mark.parametrize("heuristic", ["lmcut", "hmax"])
def test_astar_is_optimal_on_random_tasks(heuristic: str) -> None:
    solved = 0
    for seed in range(120):
        actions, goal, start = _random_task(seed)
        optimum = _optimal_cost(actions, goal, start)
        result = plan(actions, goal, start, heuristic=heuristic)  # type: ignore[arg-type]
        if optimum is None:
            assert isinstance(result, Plan) is False, seed
            continue
        solved += 1
        assert isinstance(result, Plan), seed
        assert result.cost == pytest.approx(optimum), seed
        assert _replay(result, goal, start), seed
    assert solved >= 40  # the generator must exercise real searches, not only unsolvable tasks


def _relaxed(actions: list[Action], goal: Goal, start: WorldState) -> tuple[list, int, int, int]:
    facts = sorted(
        {f for a in actions for f in a.pre} | set(goal.conditions) | {f for a in actions for f in a.effects}
    )
    bit = {f: i for i, f in enumerate(facts)}

    def mask(names: object) -> int:
        return sum(1 << bit[f] for f in names)  # type: ignore[attr-defined]

    acts = [
        (mask(a.pre), mask(f for f, v in a.effects.items() if v), float(a.cost))  # type: ignore[arg-type]
        for a in actions
    ]
    state = mask(f for f in facts if start[f].value == "true")
    return acts, len(facts), mask(goal.conditions), state


def test_lmcut_dominates_hmax_and_partitions_the_costs() -> None:
    strictly_better = 0
    for seed in range(120):
        actions, goal, start = _random_task(seed)
        acts, nfacts, goal_mask, state = _relaxed(actions, goal, start)
        h_lmcut, charged = make_lmcut(acts, nfacts, goal_mask)(state)
        h_max, none = make_hmax(acts, nfacts, goal_mask, None)(state)
        assert none is None
        optimum = _optimal_cost(actions, goal, start)
        if h_max == float("inf"):
            assert h_lmcut == float("inf") and optimum is None, seed
            continue
        assert charged is not None
        assert h_lmcut >= h_max - 1e-9, seed
        if optimum is not None:
            assert h_lmcut <= optimum + 1e-9, seed  # admissible
        # A cost partitioning: no action is charged more than it costs.
        assert all(charged[k] <= acts[k][2] + 1e-9 for k in charged), seed
        strictly_better += h_lmcut > h_max + 1e-9
    assert strictly_better >= 5  # 9 of these 120 tasks; guards against a vacuous comparison


def test_child_bound_keeps_the_landmarks_an_action_misses() -> None:
    # Three independent goal facts, one producer each: LM-cut finds three landmarks (total 6).
    actions = [
        Action(f"make_{x}", effects={x: True}, cost=c) for x, c in (("a", 1.0), ("b", 2.0), ("c", 3.0))
    ]
    acts, nfacts, goal_mask, state = _relaxed(actions, Goal.of("a", "b", "c"), WorldState())
    estimate, charged = make_lmcut(acts, nfacts, goal_mask)(state)
    assert estimate == pytest.approx(6.0)
    assert child_bound(estimate, charged, 0, 1.0) == pytest.approx(5.0)  # make_a only pays its own
    assert child_bound(estimate, charged, 2, 3.0) == pytest.approx(3.0)
    assert child_bound(6.0, None, 2, 3.0) == pytest.approx(3.0)  # h_max's consistency bound
    assert child_bound(1.0, None, 2, 3.0) == 0.0


def test_lmcut_expands_fewer_states_on_independent_subgoals() -> None:
    # Ten sub-goals, each reachable by a cheap and a dear producer: h_max sees only the dearest one.
    actions = []
    for i in range(10):
        actions.append(Action(f"cheap_{i}", effects={f"g{i}": True}, cost=1.0 + i / 10))
        actions.append(Action(f"dear_{i}", effects={f"g{i}": True}, cost=5.0))
    goal = Goal.of(*(f"g{i}" for i in range(10)))
    with_lmcut = plan(actions, goal, heuristic="lmcut")
    with_hmax = plan(actions, goal, heuristic="hmax")
    assert isinstance(with_lmcut, Plan) and isinstance(with_hmax, Plan)
    assert with_lmcut.cost == pytest.approx(with_hmax.cost) == pytest.approx(14.5)
    assert with_lmcut.expanded <= 11
    assert with_hmax.expanded > 5 * with_lmcut.expanded


def test_unknown_heuristic_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="heuristic must be 'lmcut' or 'hmax', not 'hadd'"):
        AStarPlanner(heuristic="hadd")  # type: ignore[arg-type]
