"""The plan–act–replan loop as a LangGraph graph: ``plan`` → ``act`` → ``plan`` … → END."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, TypedDict

from pydantic import BaseModel

from goalgraph.tools import Tool, ToolError, ToolInputError
from goalgraph.traces import SpanKind, set_output, start_span

from ._astar import AStarPlanner, _as_action, _as_goals
from ._model import Action, Goal, _wanted
from ._plan import NoPlan, Plan
from ._results import Budget, Done, Event, Replan, Stuck
from ._state import Blackboard, Predicate, WorldState

__all__ = ["ExecutorState", "build_executor", "initial_state"]


class ExecutorState(TypedDict, total=False):
    """The executor graph's state: plain JSON-able values, so any LangGraph checkpointer can store it."""

    entries: list[dict[str, Any]]
    facts: dict[str, bool | None]
    blacklist: list[str]
    attempts: dict[str, int]
    succeeded: list[str]
    started_at: float | None
    plans: list[dict[str, Any]]
    events: list[dict[str, Any]]
    pending: list[str]
    result: dict[str, Any] | None


def initial_state(
    *objects: Any, facts: Mapping[str, bool | None] | None = None, **named: Any
) -> ExecutorState:
    """The input for an executor graph: the objects the run starts with (by type; keywords: by name).

    graph.invoke(initial_state(Question(text="..."), facts={"online": True}))
    """
    board = Blackboard(objects, named=named, facts=facts)
    return {"entries": board.entries(), "facts": dict(board.facts)}


def _arguments(tool: Tool[Any, Any], board: Blackboard) -> Any:
    if not tool.unpack_arguments:
        value = board.get(tool.input_type)
        if value is None:
            raise ToolInputError(tool.name, f"no {tool.input_type.__name__} on the blackboard")
        return value
    arguments: dict[str, Any] = {}
    for name, info in tool.input_type.model_fields.items():
        annotation = info.annotation
        value = None
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            value = board.get(annotation)
        if value is None:
            value = board.named(name)
        if value is None:
            if info.is_required():
                raise ToolInputError(tool.name, f"no value for argument {name!r} on the blackboard")
            continue
        arguments[name] = value
    return arguments


def _conflict(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two plan steps interfere: one's effects contradict the other's preconditions or effects."""
    for first, second in ((a, b), (b, a)):
        for c, v in first["effects"].items():
            if second["pre"].get(c, v) != v or second["effects"].get(c, v) != v:
                return True
    return False


def _ready_batch(chosen: Plan, world: WorldState) -> list[str]:
    """The first step plus every later step that is ready now and commutes with all steps before it."""
    steps = [s.model_dump() for s in chosen.steps]
    batch = [0]
    for j in range(1, len(steps)):
        ready = all(world[c] is _wanted(v) for c, v in steps[j]["pre"].items())
        if ready and not any(_conflict(steps[j], steps[i]) for i in range(j)):
            batch.append(j)
    return [steps[i]["action"] for i in batch]


def _run_coroutine(coroutine: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    box: dict[str, Any] = {}

    def runner() -> None:
        try:
            box["value"] = asyncio.run(coroutine)
        except BaseException as error:
            box["error"] = error

    thread = threading.Thread(target=runner, name="goap-act", daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["value"]


class _Executor:
    def __init__(
        self,
        actions: list[Action],
        goals: list[Goal],
        predicates: Mapping[str, Predicate],
        budget: Budget,
        concurrent: bool,
    ) -> None:
        self.actions = {a.name: a for a in actions}
        self.goals = goals
        self.predicates = dict(predicates)
        self.budget = budget
        self.concurrent = concurrent
        self.planner = AStarPlanner(budget.search)
        self.mentioned = {c for a in actions for c in (*a.pre, *a.effects)} | {
            c for g in goals for c in g.conditions
        }

    # -- nodes -------------------------------------------------------------------------------------
    def plan(self, state: ExecutorState) -> dict[str, Any]:
        board = Blackboard.from_entries(state.get("entries", []), state.get("facts", {}))
        world = board.world_state(self.mentioned, self.predicates)
        plans = list(state.get("plans", []))
        events = state.get("events", [])
        started = state.get("started_at") or time.time()
        update: dict[str, Any] = {"started_at": started}

        def finish(result: Done | Stuck) -> dict[str, Any]:
            record = result.model_dump(mode="json")
            record.update(entries=board.entries(), facts=dict(board.facts), plans=plans, events=events)
            return {**update, "pending": [], "result": record}

        for goal in self.goals:
            if goal.satisfied(world):
                return finish(Done(goal=goal.name))
        goal_name = self.goals[0].name
        if len(events) >= self.budget.max_actions:
            return finish(Stuck(goal=goal_name, reason="max_actions"))
        if time.time() - started > self.budget.max_seconds:
            return finish(Stuck(goal=goal_name, reason="max_seconds"))

        attempts = state.get("attempts", {})
        succeeded = set(state.get("succeeded", []))
        available = [
            a
            for a in self.actions.values()
            if (a.rerunnable or a.name not in succeeded)
            and attempts.get(a.name, 0) < self.budget.max_attempts
        ]
        blacklist = list(state.get("blacklist", []))
        with start_span(
            "plan",
            kind=SpanKind.CHAIN,
            attributes={
                "goalgraph.round": len(plans) + 1,
                "goalgraph.goal": goal_name,
                "goalgraph.blacklist": blacklist,
            },
        ) as span:
            result = self.planner.plan(available, self.goals, world, blacklist=blacklist)
            if isinstance(result, NoPlan) and blacklist:
                # The blacklist is a hint to try something else, not a verdict: if nothing else is
                # left, the failed actions get another chance (bounded by max_attempts).
                blacklist = []
                result = self.planner.plan(available, self.goals, world)
            span.set_attribute("goalgraph.plan", str(result))
            set_output(span, result)
        update["blacklist"] = blacklist
        if isinstance(result, NoPlan):
            return finish(Stuck(goal=goal_name, reason="no_plan", diagnostic=result))
        plans.append(result.model_dump(mode="json"))
        if not result.steps:
            return finish(Done(goal=result.goal))
        pending = _ready_batch(result, world) if self.concurrent else [result.steps[0].action]
        return {**update, "plans": plans, "pending": pending}

    async def aact(self, state: ExecutorState) -> dict[str, Any]:
        board = Blackboard.from_entries(state.get("entries", []), state.get("facts", {}))
        pending = state.get("pending", [])
        round_number = len(state.get("plans", []))
        outcomes = await asyncio.gather(*(self._run_one(self.actions[name], board) for name in pending))
        events = list(state.get("events", []))
        attempts = dict(state.get("attempts", {}))
        succeeded = list(state.get("succeeded", []))
        blacklist = list(state.get("blacklist", []))
        for name, (status, value, reason) in zip(pending, outcomes, strict=True):
            action = self.actions[name]
            if status == "ok":
                board.add(value, name=name)
                for condition, wanted in action.effects.items():
                    if condition not in self.predicates:
                        board.facts[condition] = wanted
                succeeded.append(name)
            elif status == "replan":
                for key, item in value.items():
                    board.add(item, name=key)
            else:
                attempts[name] = attempts.get(name, 0) + 1
                if name not in blacklist:
                    blacklist.append(name)
            events.append(Event(action=name, status=status, reason=reason, round=round_number).model_dump())
        return {
            "entries": board.entries(),
            "facts": dict(board.facts),
            "events": events,
            "attempts": attempts,
            "succeeded": succeeded,
            "blacklist": blacklist,
            "pending": [],
        }

    def act(self, state: ExecutorState) -> dict[str, Any]:
        return dict(_run_coroutine(self.aact(state)))

    async def _run_one(
        self, action: Action, board: Blackboard
    ) -> tuple[Literal["ok", "failed", "replan"], Any, str]:
        tool = action.tool
        assert tool is not None
        with start_span(
            f"act {action.name}", kind=SpanKind.CHAIN, attributes={"goalgraph.action": action.name}
        ) as span:
            try:
                value = await tool.acall(_arguments(tool, board))
            except ToolError as error:
                if isinstance(error.cause, Replan):
                    span.set_attribute("goalgraph.outcome", "replan")
                    return "replan", error.cause.updates, error.cause.reason
                span.set_attribute("goalgraph.outcome", "failed")
                span.set_attribute("goalgraph.failure", f"{error.kind}: {error.reason}")
                return "failed", None, f"{error.kind}: {error.reason}"
            span.set_attribute("goalgraph.outcome", "ok")
            return "ok", value, ""


def build_executor(
    tools: Iterable[Tool[Any, Any] | Action],
    goal: Goal | type | str | Sequence[Goal | type | str],
    *,
    predicates: Mapping[str, Predicate] | None = None,
    budget: Budget | None = None,
    concurrent: bool = False,
    checkpointer: Any = None,
    name: str = "goap",
) -> Any:
    """A compiled LangGraph graph that plans, runs the first action, updates the blackboard and replans
    until a goal holds (result `Done`) or nothing more can be done (result `Stuck`).

    `tools` are tools (or `Action.from_tool(...)` wrappers with extra conditions or costs); `predicates`
    decide explicit conditions from the blackboard. With `concurrent`, the ready steps of a plan that
    do not interfere run together. Pass a LangGraph `checkpointer` (and a ``thread_id`` in the config)
    to resume an interrupted run by invoking the graph again with ``None``.

        graph = build_executor([search, fetch, answer], Answer)
        result = outcome(graph.invoke(initial_state(Question(text="..."))))
    """
    from langchain_core.runnables import RunnableLambda
    from langgraph.graph import END, START, StateGraph

    actions = [_as_action(t) for t in tools]
    for action in actions:
        if action.tool is None:
            raise TypeError(f"action {action.name!r} has no tool to run; build it with Action.from_tool(...)")
    chosen_budget = budget or Budget()
    executor = _Executor(actions, _as_goals(goal), predicates or {}, chosen_budget, concurrent)
    graph = StateGraph(ExecutorState)
    graph.add_node("plan", executor.plan)
    graph.add_node("act", RunnableLambda(executor.act, afunc=executor.aact, name="act"))
    graph.add_edge(START, "plan")
    graph.add_conditional_edges("plan", lambda s: END if s.get("result") else "act", ["act", END])
    graph.add_edge("act", "plan")
    compiled = graph.compile(checkpointer=checkpointer, name=name)
    # Two super-steps per action run, plus the final planning round.
    return compiled.with_config(recursion_limit=2 * chosen_budget.max_actions + 10)
