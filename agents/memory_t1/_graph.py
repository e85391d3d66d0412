"""The Memory-T1 LangGraph graph: Question -> TimeWindow -> Candidates -> Ranked -> Answer."""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.store.base import BaseStore

from goalgraph.traces import SpanKind, set_output, start_span

from ._steps import make_tools
from ._types import Answer, Candidates, MemoryT1Config, Question, Ranked, TimeWindow

__all__ = ["MemoryT1State", "build_memory_t1", "run_question"]


class MemoryT1State(TypedDict, total=False):
    """Graph state: the typed blackboard of one question."""

    question: Question
    time_window: TimeWindow
    candidates: Candidates
    ranked: Ranked
    answer: Answer


def build_memory_t1(
    *,
    model: Any = None,
    store: BaseStore,
    checkpointer: Any = None,
    config: MemoryT1Config | None = None,
    memo: MutableMapping[str, Any] | None = None,
) -> Any:
    """Compile the pipeline over ``store`` (sessions ingested with `ingest_sessions`).

    ``model``: a pydantic-ai model or a `goalgraph.llm.model` spec string; None answers from evidence only.
    ``memo``: a dict shared by graphs that may send the same prompts (see `make_tools`).
    """
    if isinstance(model, str):
        from goalgraph.llm import model as make_model

        model = make_model(model)
    tools = make_tools(store, model, config or MemoryT1Config(), memo)

    async def window_node(state: MemoryT1State) -> dict[str, Any]:
        with start_span("memory_t1.time_window", kind=SpanKind.CHAIN) as span:
            w = await tools.estimate_window.acall(state["question"])
            set_output(span, w.model_dump(mode="json"))
        return {"time_window": w}

    async def candidates_node(state: MemoryT1State) -> dict[str, Any]:
        with start_span("memory_t1.candidates", kind=SpanKind.RETRIEVER) as span:
            c = await tools.find_candidates.acall(
                {"question": state["question"], "window": state["time_window"]}
            )
            set_output(span, {"session_ids": list(c.session_ids), "filtered": c.filtered})
        return {"candidates": c}

    async def rank_node(state: MemoryT1State) -> dict[str, Any]:
        with start_span("memory_t1.rank", kind=SpanKind.RETRIEVER) as span:
            r = await tools.rank_candidates.acall(state["candidates"])
            set_output(span, [s.session_id for s in r.sessions])
        return {"ranked": r}

    async def answer_node(state: MemoryT1State) -> dict[str, Any]:
        with start_span("memory_t1.answer", kind=SpanKind.CHAIN) as span:
            a = await tools.answer_question.acall(state["ranked"])
            set_output(span, a.model_dump())
        return {"answer": a}

    # The order follows the types: each step needs the previous step's output type.
    graph = StateGraph(MemoryT1State)
    graph.add_node("time_window", window_node)
    graph.add_node("candidates", candidates_node)
    graph.add_node("rank", rank_node)
    graph.add_node("answer", answer_node)
    graph.add_edge(START, "time_window")
    graph.add_edge("time_window", "candidates")
    graph.add_edge("candidates", "rank")
    graph.add_edge("rank", "answer")
    graph.add_edge("answer", END)
    return graph.compile(checkpointer=checkpointer, store=store)


async def run_question(graph: Any, question: Question, thread_id: str = "memory_t1") -> MemoryT1State:
    """Run one question through a compiled graph inside an ``invoke_agent memory_t1`` span."""
    with start_span("invoke_agent memory_t1", kind=SpanKind.AGENT, input=question.text) as span:
        state: MemoryT1State = await graph.ainvoke(
            {"question": question}, config={"configurable": {"thread_id": thread_id}}
        )
        set_output(span, state["answer"].model_dump())
    return state
