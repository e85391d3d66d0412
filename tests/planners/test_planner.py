"""A* planner: types alone, explicit and unknown conditions, costs, diagnostics, budgets, multi-goal."""

from __future__ import annotations

from pydantic import BaseModel

from goalgraph.planners import (
    Action,
    Blackboard,
    Condition,
    Goal,
    NoPlan,
    Plan,
    SearchBudget,
    WorldState,
    plan,
)
from goalgraph.tools import tool


class Question(BaseModel):
    text: str


class SearchQueries(BaseModel):
    queries: list[str]


class Documents(BaseModel):
    docs: list[str]


class Answer(BaseModel):
    text: str


@tool
def write_queries(q: Question) -> SearchQueries:
    """Write queries."""
    return SearchQueries(queries=[q.text])


@tool(cost=1)
def web_search(q: SearchQueries) -> Documents:
    """Search the web."""
    return Documents(docs=q.queries)


@tool(cost=5)
def local_search(q: SearchQueries) -> Documents:
    """Search the local index."""
    return Documents(docs=q.queries)


@tool
def answer(d: Documents) -> Answer:
    """Answer from documents."""
    return Answer(text=" ".join(d.docs))


def test_plans_from_types_alone() -> None:
    result = plan([answer, local_search, write_queries, web_search], Answer, Blackboard([Question(text="q")]))
    assert isinstance(result, Plan)
    assert result.actions == ["write_queries", "web_search", "answer"]
    assert result.cost == 3
    text = str(result)
    assert "has:Documents for step 3 (answer)" in text and "has:Answer for the goal" in text


def test_costs_change_the_chosen_plan() -> None:
    cheap_local = Action.from_tool(local_search, cost=0.5)
    result = plan([answer, cheap_local, write_queries, web_search], Answer, Blackboard([Question(text="q")]))
    assert isinstance(result, Plan)
    assert result.actions == ["write_queries", "local_search", "answer"]
    assert result.cost == 2.5


def test_explicit_conditions_and_predicates() -> None:
    gated = Action.from_tool(web_search, pre={"online": True})
    board = Blackboard([Question(text="q")])
    offline = plan(
        [answer, gated, local_search, write_queries], Answer, board, predicates={"online": lambda b: False}
    )
    online = plan(
        [answer, gated, local_search, write_queries], Answer, board, predicates={"online": lambda b: True}
    )
    assert isinstance(offline, Plan) and "local_search" in offline.actions
    assert isinstance(online, Plan) and "web_search" in online.actions


def test_unknown_conditions_satisfy_no_precondition() -> None:
    go_dry = Action("go_out", pre={"raining": False}, effects={"outside": True})
    go_wet = Action(
        "go_out_umbrella", pre={"raining": True, "umbrella": True}, effects={"outside": True}, cost=2
    )
    look = Action("look_outside", effects={"raining": False}, cost=3)
    state = WorldState({"raining": None})
    assert state["raining"] is Condition.UNKNOWN
    result = plan([go_dry, go_wet], Goal.of("outside"), state)
    assert isinstance(result, NoPlan)
    with_look = plan([go_dry, go_wet, look], Goal.of("outside"), state)
    assert isinstance(with_look, Plan) and with_look.actions == ["look_outside", "go_out"]
    assert plan([go_dry], Goal.of("outside"), WorldState({"raining": False})).actions == ["go_out"]  # type: ignore[union-attr]


def test_unreachable_goal_names_the_missing_condition() -> None:
    result = plan([answer, web_search], Answer, Blackboard([Question(text="q")]))
    assert isinstance(result, NoPlan) and not result
    assert result.reason == "unreachable"
    assert [m.condition for m in result.missing] == ["has:Answer"]
    assert result.missing[0].producers == ["answer"]
    assert result.root_causes == ["has:SearchQueries"]
    assert "has:SearchQueries" in str(result)


def test_nearest_state_reported() -> None:
    result = plan([write_queries], Goal.of(SearchQueries, Answer), Blackboard([Question(text="q")]))
    assert isinstance(result, NoPlan)
    assert result.nearest.actions == ["write_queries"]
    assert result.nearest.unsatisfied == ["has:Answer"]


def test_strips_delete_effects_and_optimality() -> None:
    # Two-block swap: a on b -> b on a needs unstack, putdown, pickup, stack (4 steps).
    acts = []
    for x, y in (("a", "b"), ("b", "a")):
        acts.append(
            Action(
                f"unstack_{x}_{y}",
                pre={f"on_{x}_{y}": True, f"clear_{x}": True, "empty": True},
                effects={
                    f"holding_{x}": True,
                    f"clear_{y}": True,
                    f"on_{x}_{y}": False,
                    f"clear_{x}": False,
                    "empty": False,
                },
            )
        )
        acts.append(
            Action(
                f"stack_{x}_{y}",
                pre={f"holding_{x}": True, f"clear_{y}": True},
                effects={
                    f"on_{x}_{y}": True,
                    f"clear_{x}": True,
                    "empty": True,
                    f"holding_{x}": False,
                    f"clear_{y}": False,
                },
            )
        )
    for x in "ab":
        acts.append(
            Action(
                f"pickup_{x}",
                pre={f"table_{x}": True, f"clear_{x}": True, "empty": True},
                effects={f"holding_{x}": True, f"table_{x}": False, f"clear_{x}": False, "empty": False},
            )
        )
        acts.append(
            Action(
                f"putdown_{x}",
                pre={f"holding_{x}": True},
                effects={f"table_{x}": True, f"clear_{x}": True, "empty": True, f"holding_{x}": False},
            )
        )
    start = WorldState(["on_a_b", "clear_a", "table_b", "empty"])
    result = plan(acts, Goal.of("on_b_a"), start)
    assert isinstance(result, Plan)
    assert result.actions == ["unstack_a_b", "putdown_a", "pickup_b", "stack_b_a"]
    assert plan(list(reversed(acts)), Goal.of("on_b_a"), start).actions == result.actions  # type: ignore[union-attr]


def test_several_goals_pick_best_value_minus_cost() -> None:
    a = Action("cheap", effects={"small": True}, cost=1)
    b = Action("dear", effects={"big": True}, cost=5)
    goals = [Goal.of("small", value=3), Goal.of("big", value=10)]
    result = plan([a, b], goals)
    assert isinstance(result, Plan) and result.actions == ["dear"] and result.net_value == 5
    goals = [Goal.of("small", value=3), Goal.of("big", value=6)]
    assert plan([a, b], goals).actions == ["cheap"]  # type: ignore[union-attr]


def test_search_budget_gives_budget_diagnostic() -> None:
    acts = [Action(f"flip{i}", pre={f"b{i}": False}, effects={f"b{i}": True}) for i in range(14)]
    acts += [Action(f"unflip{i}", pre={f"b{i}": True}, effects={f"b{i}": False}) for i in range(14)]
    acts.append(
        Action("finish", pre={f"b{i}": True for i in range(14)} | {"never": True}, effects={"done": True})
    )
    acts.append(
        Action("make_never", pre={"b0": False, "b1": True, "b2": False, "b3": True}, effects={"x": True})
    )
    result = plan(
        acts,
        Goal.of("done"),
        WorldState({f"b{i}": False for i in range(14)}),
        budget=SearchBudget(max_nodes=50),
    )
    assert isinstance(result, NoPlan)
    assert result.reason == "unreachable" and result.root_causes == ["never"]


def test_node_budget_ends_search_with_nearest_state() -> None:
    acts = [Action(f"flip{i}", pre={f"b{i}": False}, effects={f"b{i}": True}) for i in range(16)]
    acts += [Action(f"unflip{i}", pre={f"b{i}": True}, effects={f"b{i}": False}) for i in range(16)]
    goal = Goal.of(*(f"b{i}" for i in range(16)))
    result = plan(
        acts, goal, WorldState({f"b{i}": False for i in range(16)}), budget=SearchBudget(max_nodes=5)
    )
    assert isinstance(result, NoPlan) and result.reason == "budget"
    assert result.expanded == 5 and len(result.nearest.unsatisfied) < 16
