"""ReaRAG (arXiv 2503.21729): a Thought → Action → Observation loop over a retrieval engine.

graph = build_rearag(model=goalgraph.llm.model("local"), engine=RetrievalEngine(index, model))
final = await graph.ainvoke(initial_state("Who founded the company that makes the iPod?"))
final["answer"], final["chain"], final["status"]           # or: await run_rearag(graph, question)
"""

from __future__ import annotations

from typing import Any

from goalgraph.agents._rearag_steps import ReaRAGSteps
from goalgraph.agents._rearag_types import Finish, ReaRAGConfig, ReaRAGState, Search, Step, initial_state
from goalgraph.tools.retrieval import RetrievalEngine
from goalgraph.traces import SpanKind, set_output, start_span

__all__ = [
    "Finish",
    "ReaRAGConfig",
    "ReaRAGState",
    "Search",
    "Step",
    "build_rearag",
    "initial_state",
    "run_rearag",
]


def build_rearag(
    model: Any,
    engine: RetrievalEngine,
    *,
    store: Any = None,
    checkpointer: Any = None,
    config: ReaRAGConfig = ReaRAGConfig(),
) -> Any:
    """The compiled LangGraph loop: think → (search → think)* → short_answer.

    `model` is a pydantic-ai model (or spec string) that writes the steps; `engine` answers the
    searches; `store` and `checkpointer` are handed to LangGraph's `compile`.
    """
    from langgraph.graph import END, START, StateGraph

    from goalgraph.tools.retrieval import resolve_model

    steps = ReaRAGSteps(resolve_model(model), engine, config)
    graph = StateGraph(ReaRAGState)
    graph.add_node("think", steps.think)
    graph.add_node("search", steps.search)
    graph.add_node("short_answer", steps.short_answer)
    graph.add_edge(START, "think")
    graph.add_conditional_edges(
        "think", steps.after_think, {"search": "search", "think": "think", "answer": "short_answer"}
    )
    graph.add_conditional_edges("search", steps.after_search, {"think": "think", "answer": "short_answer"})
    graph.add_edge("short_answer", END)
    return graph.compile(checkpointer=checkpointer, store=store, name="rearag")


async def run_rearag(graph: Any, question: str, *, thread_id: str | None = None) -> ReaRAGState:
    """Run the graph on one question inside an ``invoke_agent rearag`` span; returns the final state."""
    settings: dict[str, Any] = {"recursion_limit": 200}
    if thread_id is not None:
        settings["configurable"] = {"thread_id": thread_id}
    with start_span(
        "invoke_agent rearag",
        kind=SpanKind.AGENT,
        attributes={"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "rearag"},
        input=question,
    ) as span:
        final: ReaRAGState = await graph.ainvoke(initial_state(question), settings)
        set_output(
            span, {"answer": final.get("answer"), "status": final.get("status"), "steps": len(final["chain"])}
        )
        return final
