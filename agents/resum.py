"""ReSum (arXiv 2509.13313): a search agent that summarizes its context near the budget and resumes from it.

graph = build_resum(model, engine, count_tokens=goalgraph.llm.count_tokens, config=ReSumConfig(budget=2048))
final = await run_resum(graph, "Who founded the company that makes the iPod?")
final["answer"], final["summaries"], final["peak_tokens"], final["trajectory"]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from goalgraph.agents._resum_steps import ReSumSteps, render_context
from goalgraph.agents._resum_training import Segment, broadcast_advantages, group_advantages, split_segments
from goalgraph.agents._resum_types import ReSumConfig, ReSumState, Summary
from goalgraph.tools.retrieval import RetrievalEngine, resolve_model
from goalgraph.traces import SpanKind, set_output, start_span

__all__ = [
    "ReSumConfig",
    "ReSumState",
    "Segment",
    "Summary",
    "broadcast_advantages",
    "build_react",
    "build_resum",
    "default_token_counter",
    "group_advantages",
    "initial_state",
    "render_context",
    "run_resum",
    "split_segments",
]


def default_token_counter(model: Any = "local") -> Callable[[str], int]:
    """The model's own token count: `goalgraph.llm.count_tokens` when the llm package provides it."""
    try:
        from goalgraph.llm import count_tokens  # type: ignore[attr-defined]
    except ImportError as error:
        raise RuntimeError(
            f"pass count_tokens=...: goalgraph.llm.count_tokens is not available ({error})"
        ) from None

    def count(text: str) -> int:
        return int(count_tokens(model, text))

    return count


def initial_state(question: str) -> ReSumState:
    """The state a run starts from."""
    return ReSumState(
        question=question,
        messages=[],
        summary=None,
        summaries=[],
        trajectory=[],
        titles=[],
        retrieved=[],
        pending=None,
        route="act",
        rounds=0,
        peak_tokens=0,
        overflows=0,
        status="running",
        proposed=None,
        answer="",
    )


def build_resum(
    model: Any,
    engine: RetrievalEngine,
    *,
    count_tokens: Callable[[str], int] | None = None,
    summarizer: Any = None,
    store: Any = None,
    checkpointer: Any = None,
    config: ReSumConfig = ReSumConfig(),
) -> Any:
    """The compiled LangGraph loop: act → (tool | summarize → act)* → answer.

    `summarizer` defaults to `model`; `count_tokens` defaults to the agent model's tokenizer.
    With ``config.summarize=False`` this is the plain ReAct baseline (see `build_react`).
    """
    from langgraph.graph import END, START, StateGraph

    agent_model = resolve_model(model)
    steps = ReSumSteps(
        agent_model,
        resolve_model(summarizer) if summarizer is not None else agent_model,
        engine,
        count_tokens or default_token_counter(model if isinstance(model, str) else "local"),
        config,
    )
    graph = StateGraph(ReSumState)
    graph.add_node("act", steps.act)
    graph.add_node("tool", steps.tool)
    graph.add_node("summarize", steps.summarize)
    graph.add_node("answer", steps.answer)
    graph.add_edge(START, "act")
    graph.add_conditional_edges(
        "act", steps.route, {"act": "act", "tool": "tool", "summarize": "summarize", "answer": "answer"}
    )
    graph.add_edge("tool", "act")
    graph.add_edge("summarize", "act")
    graph.add_edge("answer", END)
    return graph.compile(
        checkpointer=checkpointer, store=store, name="resum" if config.summarize else "react"
    )


def build_react(
    model: Any, engine: RetrievalEngine, *, config: ReSumConfig = ReSumConfig(), **kwargs: Any
) -> Any:
    """The same-harness baseline: plain ReAct with the same tools, model and budget, never summarizing."""
    from dataclasses import replace

    return build_resum(model, engine, config=replace(config, summarize=False), **kwargs)


async def run_resum(graph: Any, question: str, *, thread_id: str | None = None) -> ReSumState:
    """Run the graph on one question inside an ``invoke_agent`` span; returns the final state."""
    settings: dict[str, Any] = {"recursion_limit": 500}
    if thread_id is not None:
        settings["configurable"] = {"thread_id": thread_id}
    name = getattr(graph, "name", "resum")
    with start_span(
        f"invoke_agent {name}",
        kind=SpanKind.AGENT,
        attributes={"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": name},
        input=question,
    ) as span:
        final: ReSumState = await graph.ainvoke(initial_state(question), settings)
        set_output(
            span,
            {
                "answer": final.get("answer"),
                "status": final.get("status"),
                "summaries": len(final.get("summaries", [])),
                "peak_tokens": final.get("peak_tokens"),
            },
        )
        return final
