"""Load: 50 concurrent agent episodes against one MemoryStore and one SQLite trace store, for a while.

Each episode is a pydantic-ai agent (a scripted FunctionModel, so the load is the framework's, not a
model's) whose typed tools `recall` and `remember` search and write the shared persistent store. While
episodes run without pause, the test samples the process's RSS; at the end it checks: no episode
failed, every span the SDK finished is in the SQLite store (none dropped on the way), every episode's
trace is whole, and memory stayed flat once warm.

The CI run lasts ~30 s; `make soak` runs it for 5 minutes (GOALGRAPH_SOAK_SECONDS=300) and writes its
figures to GOALGRAPH_SOAK_OUT.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import statistics
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psutil
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from pydantic_ai import Agent
from pydantic_ai.messages import ModelResponse, TextPart, ToolCallPart, ToolReturnPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph import traces
from goalgraph.memory import MemoryStore, memory_tools

SECONDS = float(os.environ.get("GOALGRAPH_SOAK_SECONDS", "30"))
CONCURRENCY = 50
TOPICS = 50  # memory keys are bounded (one slot per topic), so a flat RSS is the right expectation


class _Counter(SpanProcessor):
    """Counts the spans the SDK finishes, to compare with what reaches the store."""

    def __init__(self) -> None:
        self.ended = 0
        self._lock = threading.Lock()

    def on_end(self, span: ReadableSpan) -> None:
        with self._lock:
            self.ended += 1


def _script(messages: list[Any], info: AgentInfo) -> ModelResponse:
    """recall the episode's topic, remember what was learned (into the topic's slot), then answer."""
    prompt = str(messages[0].parts[-1].content)
    episode, topic = (int(x) for x in prompt.split()[1::2])
    returns = [p for m in messages for p in m.parts if isinstance(p, ToolReturnPart)]
    if not returns:
        return ModelResponse(parts=[ToolCallPart("recall", {"query": f"topic {topic} facts", "k": 3})])
    if len(returns) == 1:
        text = f"episode {episode} learned a fact about topic {topic}"
        return ModelResponse(parts=[ToolCallPart("remember", {"text": text, "key": f"topic-{topic}"})])
    return ModelResponse(parts=[TextPart(f"done {episode}")])


class _Sampler:
    """RSS of this process every `interval` seconds, in a thread (the event loop is busy)."""

    def __init__(self, interval: float = 0.5) -> None:
        self.samples: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._process = psutil.Process()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)

    def _run(self, interval: float) -> None:
        start = time.perf_counter()
        while not self._stop.wait(interval):
            self.samples.append((time.perf_counter() - start, self._process.memory_info().rss))

    def __enter__(self) -> _Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


async def _soak(agent: Agent[None, str], seconds: float) -> tuple[int, list[str]]:
    """Keep CONCURRENCY episodes in flight for `seconds`; returns (episodes finished, errors)."""
    deadline = time.perf_counter() + seconds
    errors: list[str] = []
    finished = 0
    counter = iter(range(10**9))

    async def worker() -> None:
        nonlocal finished
        while time.perf_counter() < deadline:
            episode = next(counter)
            try:
                with traces.agent_run("soak"):
                    result = await agent.run(f"episode {episode} topic {episode % TOPICS}")
                if result.output != f"done {episode}":
                    errors.append(f"episode {episode}: output {result.output!r}")
                tool_errors = [
                    p.content
                    for m in result.all_messages()
                    for p in m.parts
                    if isinstance(p, ToolReturnPart) and str(p.content).startswith("ERROR")
                ]
                errors.extend(f"episode {episode}: {e}" for e in tool_errors)
            except Exception as error:
                errors.append(f"episode {episode}: {type(error).__name__}: {error}")
            finished += 1

    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return finished, errors


def test_fifty_concurrent_episodes_one_store_one_trace_store(tmp_path: Path) -> None:
    counter = _Counter()
    db = tmp_path / "traces.db"
    traces.setup(db, settings=traces.TraceSettings(batch_delay_ms=200), processors=[counter])
    store = MemoryStore.open(tmp_path / "memory", embedder="hash:64")
    recall, remember = sorted(memory_tools(store, ("soak",)), key=lambda t: t.name)
    agent = Agent(FunctionModel(_script), tools=[recall.as_pydantic_ai(), remember.as_pydantic_ai()])
    started = time.perf_counter()
    try:
        with _Sampler() as sampler:
            episodes, errors = asyncio.run(_soak(agent, SECONDS))
        elapsed = time.perf_counter() - started
    finally:
        traces.shutdown()  # flushes every finished span to the store
        store.close()

    connection = sqlite3.connect(db)
    try:
        rows = connection.execute(
            "SELECT trace_id, name, parent_id FROM spans WHERE status != 'RUNNING'"
        ).fetchall()
    finally:
        connection.close()
    stored = len(rows)
    per_trace = Counter(trace_id for trace_id, _, _ in rows)
    roots = sum(1 for _, name, parent in rows if name == "invoke_agent soak" and parent is None)
    names: dict[str, Counter[str]] = {}
    for trace_id, name, _ in rows:
        names.setdefault(trace_id, Counter())[name] += 1
    # Every trace has the same steps; only the number of `embed` spans varies (none on an empty store).
    shapes = Counter(
        tuple(sorted((n, c) for n, c in steps.items() if n != "embed")) for steps in names.values()
    )
    with MemoryStore.open(tmp_path / "memory", embedder="hash:64") as reopened:
        memories = len(reopened)

    rss = [r for _, r in sampler.samples]
    warm = [r for t, r in sampler.samples if t > 0.3 * elapsed]
    early, late = warm[: max(1, len(warm) // 3)], warm[-max(1, len(warm) // 3) :]
    growth = statistics.median(late) - statistics.median(early)
    figures = {
        "seconds": round(elapsed, 1),
        "concurrency": CONCURRENCY,
        "episodes": episodes,
        "episodes_per_s": round(episodes / elapsed, 1),
        "errors": len(errors),
        "spans_finished": counter.ended,
        "spans_stored": stored,
        "spans_per_episode": sorted(set(per_trace.values())),
        "traces": len(per_trace),
        "memories": memories,
        "rss_mb": {
            "start": round(rss[0] / 2**20, 1),
            "warm_median_early": round(statistics.median(early) / 2**20, 1),
            "warm_median_late": round(statistics.median(late) / 2**20, 1),
            "max": round(max(rss) / 2**20, 1),
            "growth_warm": round(growth / 2**20, 1),
        },
        "rss_samples": len(rss),
    }
    if out := os.environ.get("GOALGRAPH_SOAK_OUT"):
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(figures, indent=2))
    print(json.dumps(figures))
    assert errors == [], errors[:5]
    assert episodes >= CONCURRENCY
    assert stored == counter.ended, "spans were lost between the SDK and the store"
    assert roots == episodes and len(per_trace) == episodes, "an episode's trace is missing"
    assert len(shapes) == 1, f"traces are not whole: {shapes}"
    steps = dict(next(iter(shapes)))
    assert steps["execute_tool recall"] == steps["execute_tool remember"] == 2  # pydantic-ai's + the tool's
    assert steps["memory.put"] == steps["memory.search"] == 1
    assert memories == TOPICS
    # Flat once warm: the late third of the run within 25 MB (or 10 %) of the early warm third.
    assert growth < max(25 * 2**20, 0.10 * statistics.median(early)), figures["rss_mb"]
