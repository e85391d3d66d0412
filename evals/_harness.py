"""The evaluation harness every `goalgraph eval …` command runs on."""

from __future__ import annotations

import asyncio
import inspect
import time
import traceback
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from goalgraph.traces import SpanKind, set_output, start_span

from ._cli_options import apply_harness_options
from ._results import Aggregation, EpisodeLog, check_output, results_document, write_results

__all__ = ["EvalConfig", "EvalTask", "Runner", "RunnerFactory", "run_eval"]

_VIEW_SECONDS = 1.0
"""Least seconds between rewrites of the results JSON while a run is going (it is always written at the end)."""


@dataclass(frozen=True)
class EvalTask:
    """One episode to run: a system (agent or baseline) on one item of the data."""

    id: str
    """Stable id of the data item (the same for every system)."""
    system: str
    """Which system runs it, e.g. ``agent`` or ``react``."""
    group: str
    """The group it is reported under (task family, data set …)."""
    payload: Mapping[str, Any] = field(default_factory=dict)
    """Whatever the runner needs (JSON-serialisable, so it can travel to a Ray worker)."""
    seed: int = 0
    """Seed for anything random in the episode, so every backend gives the same result."""


class Runner(Protocol):
    """Runs one episode and returns its metrics (numbers) and anything else worth keeping."""

    def __call__(self, task: EvalTask) -> Mapping[str, Any] | Awaitable[Mapping[str, Any]]:
        """Return ``{"metrics": {name: number}, ...extra}`` for `task`."""
        ...


RunnerFactory = Callable[[], Runner]
"""Builds a runner once per worker (the local process, or each Ray actor): load models here."""


@dataclass(frozen=True)
class EvalConfig:
    """How an evaluation runs and where it writes."""

    out: Path
    """The results JSON (the episode log and the PNG chart are written beside it)."""
    metrics: tuple[str, ...]
    """Metric names, in table order."""
    aggregations: Mapping[str, Aggregation] = field(default_factory=dict)
    """How each metric aggregates over episodes (default: mean)."""
    concurrency: int = 2
    """Episodes in flight at once (asyncio backend)."""
    resume: bool = False
    """Skip episodes already in the episode log of an earlier, interrupted run."""
    backend: Literal["asyncio", "ray"] = "asyncio"
    """Run episodes in this process (asyncio) or fan them out on a Ray cluster."""
    ray_address: str | None = None
    """Ray cluster to join; `None` starts a local one."""
    ray_workers: int = 2
    """Ray actors (each builds its runner once)."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Top-level fields of the results file (e.g. ``setting``, ``budget``)."""
    title: str = "evaluation"
    """Shown on the progress bar, the table and the chart."""
    chart: bool = True
    """Write a PNG bar chart of the summary beside the results file."""
    quiet: bool = False
    """No progress bar or table (tests)."""


async def _call(runner: Runner, task: EvalTask) -> Mapping[str, Any]:
    result = runner(task)
    if inspect.isawaitable(result):
        result = await result
    return result


def _record(
    task: EvalTask, result: Mapping[str, Any] | None, error: BaseException | None, seconds: float
) -> dict[str, Any]:
    record: dict[str, Any] = {"id": task.id, "system": task.system, "group": task.group, "seed": task.seed}
    if error is not None:
        # A crashing episode is a failed episode, not a crashed evaluation.
        record["metrics"] = {}
        record["error"] = f"{type(error).__name__}: {error}"
        record["traceback"] = "".join(traceback.format_exception(error))[-4000:]
    else:
        assert result is not None
        record.update({k: v for k, v in result.items() if k != "metrics"})
        record["metrics"] = dict(result.get("metrics", {}))
    record["metrics"].setdefault("seconds", seconds)
    return record


async def run_task(runner: Runner, task: EvalTask) -> dict[str, Any]:
    """Run one task to its record; an exception becomes a failed episode (what every backend does)."""
    started = time.perf_counter()
    try:
        with start_span(f"episode {task.system}:{task.id}", kind=SpanKind.CHAIN, input=dict(task.payload)):
            result = await _call(runner, task)
    except Exception as error:
        return _record(task, None, error, time.perf_counter() - started)
    return _record(task, result, None, time.perf_counter() - started)


def run_eval(tasks: Sequence[EvalTask], factory: RunnerFactory, config: EvalConfig) -> dict[str, Any]:
    """Run `tasks` and write the results file; returns the results document.

    Finished episodes are appended to ``<out>.episodes.jsonl`` as they end, and the results JSON is
    rewritten atomically after each, so a killed run loses at most the episodes in flight; run again
    with ``resume=True`` to finish only what is missing.
    """
    config = apply_harness_options(config)
    check_output(config.out)
    console = Console(stderr=True, quiet=config.quiet)
    log = EpisodeLog.open(config.out, resume=config.resume)
    done = log.done()
    todo = [t for t in tasks if (t.system, t.id) not in done]
    if done:
        console.print(f"resuming: {len(tasks) - len(todo)} episodes already done, {len(todo)} to run")
    ids = {(t.system, t.id) for t in tasks}

    def snapshot() -> dict[str, Any]:
        kept = [r for r in log.latest() if (str(r["system"]), str(r["id"])) in ids]
        return results_document(kept, config.metrics, config.aggregations, config.extra)

    with (
        start_span(
            f"invoke_agent eval {config.title}", kind=SpanKind.CHAIN, attributes={"eval.tasks": len(tasks)}
        ) as span,
        Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[running]}"),
            console=console,
            disable=config.quiet,
        ) as progress,
    ):
        bar = progress.add_task(config.title, total=len(todo), running="")
        last_view = [float("-inf")]

        def finished(record: dict[str, Any]) -> None:
            log.append(record)
            # The fsynced episode log is what --resume reads; the results JSON and the running metrics
            # are views of it, refreshed at most every _VIEW_SECONDS: rebuilding them after every one of
            # thousands of fast episodes made a run quadratic (minutes instead of seconds).
            if time.monotonic() - last_view[0] >= _VIEW_SECONDS:
                document = snapshot()
                write_results(config.out, document)
                progress.update(bar, running=_running_metrics(document["summary"], config.metrics))
                last_view[0] = time.monotonic()
            progress.update(bar, advance=1)

        if config.backend == "ray":
            from ._ray import run_on_ray

            run_on_ray(todo, factory, config, finished)
        else:
            asyncio.run(_run_local(todo, factory, config.concurrency, finished))
        document = snapshot()
        set_output(span, document["summary"])
    write_results(config.out, document)
    if not config.quiet:
        console.print(summary_table(document, config.metrics, config.title))
    if config.chart:
        from ._chart import write_chart

        write_chart(document, config.metrics, config.out.with_suffix(".png"), config.title)
    return document


async def _run_local(
    tasks: Sequence[EvalTask],
    factory: RunnerFactory,
    concurrency: int,
    finished: Callable[[dict[str, Any]], None],
) -> None:
    runner = factory()
    gate = asyncio.Semaphore(max(1, concurrency))

    async def one(task: EvalTask) -> None:
        async with gate:
            finished(await run_task(runner, task))

    await asyncio.gather(*(one(t) for t in tasks))


def _running_metrics(summary: Mapping[str, Mapping[str, float]], metrics: Sequence[str]) -> str:
    parts = []
    for system, values in summary.items():
        shown = ", ".join(f"{m}={values[m]:.3g}" for m in metrics[:2] if isinstance(values.get(m), float))
        parts.append(f"{system}: {shown}")
    return " | ".join(parts)


def summary_table(document: Mapping[str, Any], metrics: Sequence[str], title: str) -> Table:
    """A rich table: one row per system (and per group under it), one column per metric."""
    table = Table(title=title)
    table.add_column("system")
    table.add_column("group")
    table.add_column("n", justify="right")
    for metric in metrics:
        table.add_column(metric, justify="right")

    def fmt(value: Any) -> str:
        return (
            "–"
            if not isinstance(value, int | float)
            else f"{value:.3f}"
            if isinstance(value, float)
            else str(value)
        )

    for system, values in document["summary"].items():
        table.add_row(
            system, "[b]all[/b]", str(values.get("episodes", "")), *(fmt(values.get(m)) for m in metrics)
        )
        for group, group_values in document["by_group"].get(system, {}).items():
            table.add_row("", group, "", *(fmt(group_values.get(m)) for m in metrics))
    return table


def load_results(path: Path) -> dict[str, Any]:
    """Read a results file written by `run_eval`."""
    import json

    return dict(json.loads(Path(path).read_text(encoding="utf-8")))
