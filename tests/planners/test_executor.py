"""The plan–act–replan LangGraph executor: blacklist, replan signal, budgets, checkpoint resume."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from langgraph.checkpoint.memory import MemorySaver
from langgraph.checkpoint.sqlite import SqliteSaver
from pydantic import BaseModel

from goalgraph.planners import (
    Budget,
    Done,
    Replan,
    Stuck,
    build_executor,
    initial_state,
    outcome,
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


def make_tools(calls: dict[str, int], *, web_fails: int = 0, crash_on: str | None = None):  # type: ignore[no-untyped-def]
    def count(name: str) -> None:
        calls[name] = calls.get(name, 0) + 1
        if crash_on == name and calls[name] == 1:
            raise SimulatedCrash(name)

    @tool
    def write_queries(q: Question) -> SearchQueries:
        """Write queries."""
        count("write_queries")
        return SearchQueries(queries=[q.text, q.text + " facts"])

    @tool(cost=1)
    def web_search(q: SearchQueries) -> Documents:
        """Search the web."""
        count("web_search")
        if calls["web_search"] <= web_fails:
            raise ConnectionError("web unreachable")
        return Documents(docs=[f"web:{x}" for x in q.queries])

    @tool(cost=3)
    def local_search(q: SearchQueries) -> Documents:
        """Search the local index."""
        count("local_search")
        return Documents(docs=[f"local:{x}" for x in q.queries])

    @tool
    def answer(d: Documents) -> Answer:
        """Answer from documents."""
        count("answer")
        return Answer(text=d.docs[0])

    return [write_queries, web_search, local_search, answer]


class SimulatedCrash(BaseException):
    """Stands in for the process dying between two actions (not an Exception, so nothing catches it)."""


def test_runs_the_cheapest_plan() -> None:
    calls: dict[str, int] = {}
    result = outcome(build_executor(make_tools(calls), Answer).invoke(initial_state(Question(text="q"))))
    assert isinstance(result, Done)
    assert result.get(Answer) == Answer(text="web:q")
    assert [e.action for e in result.events] == ["write_queries", "web_search", "answer"]


def test_failure_blacklists_and_replans_through_alternative() -> None:
    calls: dict[str, int] = {}
    result = outcome(
        build_executor(make_tools(calls, web_fails=1), Answer).invoke(initial_state(Question(text="q")))
    )
    assert isinstance(result, Done)
    assert [(e.action, e.status) for e in result.events] == [
        ("write_queries", "ok"),
        ("web_search", "failed"),
        ("local_search", "ok"),
        ("answer", "ok"),
    ]
    assert result.get(Answer) == Answer(text="local:q")
    plans = result.distinct_plans()
    assert plans[0].actions == ["write_queries", "web_search", "answer"]
    assert plans[1].actions == ["local_search", "answer"]


def test_blacklist_cleared_when_no_alternative() -> None:
    calls: dict[str, int] = {}
    tools = [t for t in make_tools(calls, web_fails=2) if t.name != "local_search"]
    result = outcome(build_executor(tools, Answer).invoke(initial_state(Question(text="q"))))
    assert isinstance(result, Done)
    assert calls["web_search"] == 3


def test_last_step_failing_once_is_retried_after_the_blacklist_clears() -> None:
    # The failing tool is the only one that needs has:Documents: blacklisted, nothing mentions that
    # condition any more, and the diagnostic must still be built (it once raised a KeyError).
    failures = {"answer": 1}

    @tool
    def fetch(q: Question) -> Documents:
        """Fetch documents."""
        return Documents(docs=[q.text])

    @tool
    def answer(d: Documents) -> Answer:
        """Answer, failing the first time."""
        if failures["answer"]:
            failures["answer"] -= 1
            raise TimeoutError("model timed out")
        return Answer(text=d.docs[0])

    result = outcome(build_executor([fetch, answer], Answer).invoke(initial_state(Question(text="q"))))
    assert isinstance(result, Done) and result.get(Answer) == Answer(text="q")
    assert [(e.action, e.status) for e in result.events] == [
        ("fetch", "ok"),
        ("answer", "failed"),
        ("answer", "ok"),
    ]


def test_persistent_failure_ends_stuck_not_loop() -> None:
    calls: dict[str, int] = {}
    tools = [t for t in make_tools(calls, web_fails=99) if t.name != "local_search"]
    result = outcome(
        build_executor(tools, Answer, budget=Budget(max_attempts=3)).invoke(initial_state(Question(text="q")))
    )
    assert isinstance(result, Stuck) and result.reason == "no_plan"
    assert calls["web_search"] == 3
    assert result.diagnostic is not None and "has:Documents" in str(result)


def test_budget_exhaustion_is_stuck() -> None:
    calls: dict[str, int] = {}
    graph = build_executor(make_tools(calls, web_fails=99), Answer, budget=Budget(max_actions=2))
    result = outcome(graph.invoke(initial_state(Question(text="q"))))
    assert isinstance(result, Stuck) and result.reason == "max_actions"
    assert len(result.events) == 2


def test_replan_signal_does_not_blacklist() -> None:
    seen = {"n": 0}

    @tool(cost=1)
    def flaky_search(q: SearchQueries) -> Documents:
        """Asks for a replan once."""
        seen["n"] += 1
        if seen["n"] == 1:
            raise Replan("index rebuilt")
        return Documents(docs=["fresh"])

    tools = [
        *(t for t in make_tools({}) if t.name in {"write_queries", "answer", "local_search"}),
        flaky_search,
    ]
    result = outcome(build_executor(tools, Answer).invoke(initial_state(Question(text="q"))))
    assert isinstance(result, Done) and result.get(Answer) == Answer(text="fresh")
    assert [(e.action, e.status) for e in result.events][1] == ("flaky_search", "replan")


def test_unreachable_goal_is_stuck_with_diagnostic() -> None:
    tools = [t for t in make_tools({}) if t.name == "answer"]
    result = outcome(build_executor(tools, Answer).invoke(initial_state(Question(text="q"))))
    assert isinstance(result, Stuck) and result.diagnostic is not None
    assert result.diagnostic.root_causes == ["has:Documents"]


class A(BaseModel):
    x: int


class B(BaseModel):
    y: int


class C(BaseModel):
    z: int


def test_concurrent_independent_actions() -> None:
    @tool
    def make_a(q: Question) -> A:
        """A."""
        return A(x=1)

    @tool
    def make_b(q: Question) -> B:
        """B."""
        return B(y=2)

    @tool
    def combine(a: A, b: B) -> C:
        """C from A and B."""
        return C(z=a.x + b.y)

    result = outcome(
        build_executor([make_a, make_b, combine], C, concurrent=True).invoke(
            initial_state(Question(text="q"))
        )
    )
    assert isinstance(result, Done) and result.get(C) == C(z=3)
    assert [e.round for e in result.events] == [1, 1, 2]


def _resume(checkpointer: object) -> None:
    calls: dict[str, int] = {}
    graph = build_executor(make_tools(calls, crash_on="web_search"), Answer, checkpointer=checkpointer)
    config = {"configurable": {"thread_id": "run-1"}}
    try:
        graph.invoke(initial_state(Question(text="q")), config)
    except SimulatedCrash:
        pass
    else:
        raise AssertionError("the simulated crash did not happen")
    assert calls == {"write_queries": 1, "web_search": 1}
    result = outcome(graph.invoke(None, config))
    assert isinstance(result, Done) and result.get(Answer) == Answer(text="web:q")
    assert calls == {"write_queries": 1, "web_search": 2, "answer": 1}


def test_resume_after_crash_memory_saver() -> None:
    _resume(MemorySaver())


def test_resume_after_crash_sqlite_saver(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "checkpoints.db", check_same_thread=False)
    try:
        _resume(SqliteSaver(connection))
    finally:
        connection.close()
