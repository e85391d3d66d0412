"""Tracing overhead: a 1,000-node LangGraph run traced into the SQLite store vs. untraced, same graph.

    python benchmarks/trace_bench.py --out results/trace_bench.json [--nodes 1000] [--reps 3] [--no-llm]

`overhead_pct_local_model_run` relates the per-span overhead to a run that uses the local model: a
5-node graph whose `think` node makes one call to `goalgraph.llm.model("local")` through pydantic-ai
(timed untraced, model already loaded); its span count × the measured overhead per span / its time.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph

from goalgraph import traces


class Counter(TypedDict):
    """The loop's state."""

    i: int
    n: int


def _step(state: Counter) -> dict[str, int]:
    return {"i": state["i"] + 1}


def _loop_graph(traced: bool) -> Any:
    builder = StateGraph(Counter)
    builder.add_node("step", traces.traced_node("step", _step) if traced else _step)
    builder.add_edge(START, "step")
    builder.add_conditional_edges("step", lambda s: END if s["i"] >= s["n"] else "step")
    return builder.compile()


def _time_loop(graph: Any, nodes: int, flush: bool) -> float:
    start = time.perf_counter()
    # Traced, the run is one trace under its agent span, as every goalgraph agent's run is.
    with traces.agent_run("trace-bench") if flush else contextlib.nullcontext():
        out = graph.invoke({"i": 0, "n": nodes}, {"recursion_limit": nodes + 10})
    if flush:
        traces.force_flush()  # the writer's work counts: it shares the CPU with the run
    elapsed = time.perf_counter() - start
    assert out["i"] == nodes
    return elapsed


def _local_model_run() -> dict[str, float] | None:
    try:
        from pydantic import BaseModel
        from pydantic_ai import Agent

        from goalgraph.llm import model
    except ImportError:
        return None

    class City(BaseModel):
        """A city."""

        name: str

    agent = Agent(model("local"), output_type=City)
    agent.run_sync("Name the capital of France.")  # load + warm up, not timed

    class S(TypedDict, total=False):
        q: str
        a: str

    async def think(state: S) -> S:
        return {"a": (await agent.run(state["q"])).output.name}

    builder = StateGraph(S)
    names = ["observe", "think", "act", "check", "finish"]
    for name in names:
        builder.add_node(name, think if name == "think" else (lambda s: {}))
    builder.add_edge(START, names[0])
    for a, b in itertools.pairwise(names):
        builder.add_edge(a, b)
    builder.add_edge(names[-1], END)
    graph = builder.compile()
    times = []
    for _ in range(3):
        start = time.perf_counter()
        asyncio.run(graph.ainvoke({"q": "Name the capital of France."}))
        times.append(time.perf_counter() - start)
    # spans such a traced run makes: agent + 5 nodes + pydantic-ai's agent and chat spans
    return {"run_s": statistics.median(times), "spans": 1 + len(names) + 2}


def main() -> None:
    """Run the benchmark and write the JSON results."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True, help="Where to write the JSON results.")
    parser.add_argument("--nodes", type=int, default=1000, help="Graph nodes executed per run.")
    parser.add_argument(
        "--reps", type=int, default=5, help="Runs per configuration, interleaved (the fastest counts)."
    )
    parser.add_argument("--no-llm", action="store_true", help="Skip the local-model run.")
    args = parser.parse_args()
    if args.nodes < 1 or args.reps < 1:
        parser.error("--nodes and --reps must be positive")

    plain = _loop_graph(False)
    _time_loop(plain, 50, flush=False)  # warm-up (imports, compilation)
    plain_wrapped = [_time_loop(_loop_graph(True), args.nodes, flush=False) for _ in range(args.reps)]
    untraced: list[float] = []
    traced: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "traces.db"
        traces.setup(db)
        graph = _loop_graph(True)
        _time_loop(graph, 50, flush=True)
        # Interleaved, so a change in the machine's speed during the run hits both configurations alike.
        for _ in range(args.reps):
            untraced.append(_time_loop(plain, args.nodes, flush=False))
            traced.append(_time_loop(graph, args.nodes, flush=True))
        traces.shutdown()
        stored = traces.TraceStore(db)
        spans_stored = sum(r["span_count"] for r in stored.list_runs(limit=1000))
        db_bytes = db.stat().st_size

    us_traced = min(traced) / args.nodes * 1e6
    us_untraced = min(untraced) / args.nodes * 1e6
    overhead = us_traced - us_untraced
    local = None if args.no_llm else _local_model_run()
    pct = (overhead * local["spans"] / (local["run_s"] * 1e6) * 100) if local else None
    result = {
        "summary": {
            "us_per_node_traced": round(us_traced, 2),
            "us_per_node_untraced": round(us_untraced, 2),
            "overhead_us_per_node": round(overhead, 2),
            "overhead_pct_local_model_run": round(pct, 4) if pct is not None else None,
            "target_us_per_node": 60,
            "target_pct_local_model_run": 5,
        },
        "details": {
            "nodes": args.nodes,
            "reps": args.reps,
            "untraced_s": untraced,
            "wrapped_no_provider_s": plain_wrapped,
            "traced_sqlite_s": traced,
            "spans_stored": spans_stored,
            "db_bytes": db_bytes,
            "local_model_run": local,
            "machine": {
                "cpus": os.cpu_count(),
                "python": platform.python_version(),
                "load_avg": os.getloadavg(),
            },
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2))
    print(json.dumps(result["summary"], indent=2))


if __name__ == "__main__":
    main()
