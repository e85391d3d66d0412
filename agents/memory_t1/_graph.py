"""The Memory-T1 graph: the GOAP executor derives Question -> TimeWindow -> Candidates -> Ranked -> Answer.

graph = build_memory_t1(model="local", store=store)        # a compiled LangGraph graph
state = await run_question(graph, Question(text="...", namespace=("conv",), asked_at=when))
state["time_window"], state["candidates"], state["answer"], state["result"]["plans"]
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.store.base import BaseStore
from pydantic import BaseModel

from goalgraph.planners import Budget, Done, ExecutorState, build_executor, initial_state, outcome
from goalgraph.traces import SpanKind, set_output, start_span

from ._steps import make_steps
from ._types import (
    Answer,
    Candidates,
    Evidence,
    MemoryT1Config,
    ModelAnswer,
    ParsedWindow,
    Question,
    Ranked,
    TimeWindow,
)

__all__ = ["MemoryT1State", "build_memory_t1", "plan_steps", "run_question"]

# A question needs at most ten actions (one per step, a failed fallback or two); the bound only stops a
# run that cannot finish. The time bound is generous because a shared CPU can make one decode slow.
_BUDGET = Budget(max_actions=24, max_seconds=3600.0)


class MemoryT1State(ExecutorState, total=False):
    """Graph state: the executor's blackboard and, once it is done, the typed results read off it."""

    question: Question
    parsed_window: ParsedWindow
    time_window: TimeWindow
    candidates: Candidates
    ranked: Ranked
    evidence: Evidence
    model_answer: ModelAnswer
    answer: Answer


_RESULTS: dict[str, type[BaseModel]] = {
    "parsed_window": ParsedWindow,
    "time_window": TimeWindow,
    "candidates": Candidates,
    "ranked": Ranked,
    "evidence": Evidence,
    "model_answer": ModelAnswer,
    "answer": Answer,
}


def build_memory_t1(
    *,
    model: Any = None,
    store: BaseStore,
    checkpointer: Any = None,
    config: MemoryT1Config | None = None,
    memo: MutableMapping[str, Any] | None = None,
) -> Any:
    """Compile the pipeline over ``store`` (sessions ingested with `ingest_sessions`).

    The graph is ``start`` (the question onto the blackboard) → ``goap`` (the plan–act–replan executor over
    the pipeline's typed tools, as a subgraph) → ``results`` (the typed objects read off the blackboard).
    A failing step is blacklisted and the executor replans: a failed LLM window leaves the parser's window,
    a failed model answer leaves the evidence's.

    ``model``: a pydantic-ai model or a `goalgraph.llm.model` spec string; None answers from evidence only.
    ``memo``: a dict shared by graphs that may send the same prompts (see `make_steps`).
    """
    if isinstance(model, str):
        from goalgraph.llm import model as make_model

        model = make_model(model)
    steps = make_steps(store, model, config or MemoryT1Config(), memo)
    executor = build_executor(
        steps.actions, Answer, predicates=steps.predicates, budget=_BUDGET, name="memory_t1_goap"
    )

    def start(state: MemoryT1State) -> dict[str, Any]:
        # A fresh blackboard per question, even on a thread that answered another one before.
        fresh = initial_state(state["question"])
        return {
            **fresh,
            "blacklist": [],
            "attempts": {},
            "succeeded": [],
            "started_at": None,
            "plans": [],
            "events": [],
            "pending": [],
            "result": None,
        }

    def results(state: MemoryT1State) -> dict[str, Any]:
        done = outcome(state)
        if not isinstance(done, Done):
            raise RuntimeError(f"memory_t1 could not answer: {done}")
        found = {key: done.get(tp) for key, tp in _RESULTS.items()}
        return {key: value for key, value in found.items() if value is not None}

    graph = StateGraph(MemoryT1State)
    graph.add_node("start", start)
    graph.add_node("goap", executor)
    graph.add_node("results", results)
    graph.add_edge(START, "start")
    graph.add_edge("start", "goap")
    graph.add_edge("goap", "results")
    graph.add_edge("results", END)
    compiled = graph.compile(checkpointer=checkpointer, store=store, name="memory_t1")
    return compiled.with_config(recursion_limit=2 * _BUDGET.max_actions + 20)


def plan_steps(state: MemoryT1State) -> list[str]:
    """The actions a finished run took, in order, each with its status (``name`` or ``name:failed``)."""
    result = state.get("result") or {}
    return [
        e["action"] if e["status"] == "ok" else f"{e['action']}:{e['status']}"
        for e in result.get("events", [])
    ]


async def run_question(graph: Any, question: Question, thread_id: str = "memory_t1") -> MemoryT1State:
    """Run one question through a compiled graph inside an ``invoke_agent memory_t1`` span."""
    with start_span("invoke_agent memory_t1", kind=SpanKind.AGENT, input=question.text) as span:
        state: MemoryT1State = await graph.ainvoke(
            {"question": question}, config={"configurable": {"thread_id": thread_id}}
        )
        set_output(span, state["answer"].model_dump())
    return state
