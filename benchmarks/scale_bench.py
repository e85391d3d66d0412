"""Episodes per minute: asyncio with 1, 2 and 4 episodes in flight vs. Ray with 2 workers, same tasks, same run.

    python benchmarks/scale_bench.py --out results/scale_bench.json [--episodes 24] [--workload served]

Workloads (each episode is one agent run through the evaluation harness):
- ``scripted``: a pydantic-ai agent whose model answers after a fixed latency (``--latency``, like a
  remote model server) and calls a typed tool that does real CPU work (BM25 over a generated corpus).
- ``served``: the same agent on the embedded model served by ``goalgraph llm serve`` (one shared copy of
  the model; every episode is an HTTP round trip), started by the benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph.evals import EvalConfig, EvalTask, run_eval
from goalgraph.tools import tool

WORDS = [f"w{i}" for i in range(400)]


class Passages(BaseModel):
    """Top passages for a query."""

    texts: list[str]


class Answer(BaseModel):
    """The final answer."""

    text: str


def _corpus(size: int = 3000) -> list[str]:
    import random

    rng = random.Random(7)
    return [" ".join(rng.choices(WORDS, k=30)) for _ in range(size)]


class ScriptedRunner:
    """One agent per worker; each episode: model turn → BM25 tool → model turn → typed answer."""

    def __init__(self, latency: float) -> None:
        import bm25s

        corpus = _corpus()
        self.retriever = bm25s.BM25()
        self.retriever.index(bm25s.tokenize(corpus, show_progress=False), show_progress=False)
        self.corpus = corpus
        self.latency = latency

        @tool
        def search(query: str) -> Passages:
            """Search the corpus."""
            docs, _ = self.retriever.retrieve(
                bm25s.tokenize([query], show_progress=False), k=5, show_progress=False
            )
            return Passages(texts=[self.corpus[int(i)] for i in docs[0]])

        async def model(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
            await asyncio.sleep(
                self.latency
            )  # the served model's latency: time the episode waits, not computes
            last = messages[-1].parts[-1]
            if isinstance(last, ToolReturnPart):
                return ModelResponse(parts=[ToolCallPart("final_result", {"text": str(last.content)[:40]})])
            prompt = str(getattr(last, "content", ""))
            return ModelResponse(parts=[ToolCallPart("search", {"query": prompt})])

        self.agent = Agent(FunctionModel(model), tools=[search.as_pydantic_ai()], output_type=Answer)

    async def __call__(self, task: EvalTask) -> dict[str, Any]:
        result = await self.agent.run(task.payload["query"])
        return {"metrics": {"answered": float(bool(result.output.text))}}


class ServedRunner:
    """Episodes on the embedded model through `goalgraph llm serve` (one model copy shared by all)."""

    def __init__(self, url: str) -> None:
        from goalgraph.llm import model

        self.agent = Agent(model(f"openai:local@{url}"), output_type=Answer)

    async def __call__(self, task: EvalTask) -> dict[str, Any]:
        result = await self.agent.run(f"Answer in three words: what is {task.payload['query']}?")
        return {"metrics": {"answered": float(bool(result.output.text))}}


def make_scripted(latency: float) -> Any:
    return lambda: ScriptedRunner(latency)


def make_served(url: str) -> Any:
    return lambda: ServedRunner(url)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _start_server() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "goalgraph.cli", "llm", "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import httpx

    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.time() + 300
    while time.time() < deadline:
        try:
            if httpx.get(f"{url}/models", timeout=2).status_code == 200:
                return server, url
        except httpx.HTTPError:
            time.sleep(1)
    server.kill()
    raise RuntimeError("goalgraph llm serve did not come up within 300 s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--episodes", type=int, default=24)
    parser.add_argument("--latency", type=float, default=0.25, help="scripted model latency per turn (s)")
    parser.add_argument("--workload", choices=("scripted", "served"), default="scripted")
    args = parser.parse_args()

    tasks = [
        EvalTask(id=f"e{i}", system="agent", group="all", payload={"query": f"w{i} w{i * 3} w{i * 7}"})
        for i in range(args.episodes)
    ]
    server = None
    if args.workload == "served":
        server, url = _start_server()
        factory = make_served(url)
    else:
        factory = make_scripted(args.latency)

    rows: dict[str, dict[str, float]] = {}
    cluster_start_s = float("nan")
    try:
        with tempfile.TemporaryDirectory() as scratch:
            settings: list[tuple[str, dict[str, Any]]] = [
                (f"asyncio_{n}", {"backend": "asyncio", "concurrency": n}) for n in (1, 2, 4)
            ] + [("ray_2_workers", {"backend": "ray", "ray_workers": 2})]
            for name, options in settings:
                if options["backend"] == "ray":
                    # Start the local cluster outside the timed region (reported on its own): a
                    # deployment keeps its cluster up between evaluations.
                    import ray

                    started = time.perf_counter()
                    ray.init(
                        num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False
                    )
                    cluster_start_s = time.perf_counter() - started
                started = time.perf_counter()
                document = run_eval(
                    tasks,
                    factory,
                    EvalConfig(
                        out=Path(scratch) / f"{name}.json",
                        metrics=("answered",),
                        quiet=True,
                        chart=False,
                        **options,
                    ),
                )
                seconds = time.perf_counter() - started
                rows[name] = {
                    "seconds": seconds,
                    "episodes_per_minute": 60 * len(tasks) / seconds,
                    "answered": document["summary"]["agent"]["answered"],
                }
                print(f"{name:>15}: {rows[name]['episodes_per_minute']:8.1f} episodes/min ({seconds:.1f} s)")
    finally:
        import ray

        ray.shutdown()
        if server is not None:
            server.kill()

    base = rows["asyncio_1"]["episodes_per_minute"]
    summary = {name: row["episodes_per_minute"] for name, row in rows.items()}
    summary |= {
        f"{name}_speedup_vs_asyncio_1": row["episodes_per_minute"] / base for name, row in rows.items()
    }
    document = {
        "workload": args.workload,
        "episodes": args.episodes,
        "latency_s": args.latency if args.workload == "scripted" else None,
        "cpu_count": os.cpu_count(),
        "summary": summary,
        "runs": rows,
        "ray_cluster_start_s": cluster_start_s,
        "note": "Ray timings include building one runner per worker, not starting the cluster (ray_cluster_start_s).",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2))


if __name__ == "__main__":
    main()
