"""The showcase behind `make demo`: every agent's demo, briefly, on the embedded model, into one trace store.

python examples/showcase.py [--only rearag,resum] [--db .goalgraph/traces.db]     # or: goalgraph demo showcase
Each demo's own printout goes to a log beside the trace store; the screen gets one line per agent, then the
command that opens the trace viewer on this run's spans.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import runpy
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from goalgraph import traces

HERE = Path(__file__).resolve().parent


def _last_line(log: str, starts: str) -> str:
    lines = [line.strip() for line in log.splitlines() if line.strip().startswith(starts)]
    return lines[-1] if lines else "(no result line)"


def _tools(result: Any, log: str) -> str:
    return f"{result.km} km, {result.hours} h (two typed tool calls)"


def _goap(result: Any, log: str) -> str:
    plans = result.distinct_plans()
    return f"{len(plans)} plans; after the failure it replanned through {' → '.join(plans[-1].actions)}"


def _fourk(result: Any, log: str) -> str:
    return f"{_last_line(log, 'output ')}; report {result}"


def _embodied(result: Any, log: str) -> str:
    return _last_line(log, "success=")


def _rearag(result: Any, log: str) -> str:
    return f"answer {result['answer']!r} after {len(result['chain'])} steps ({result['status']})"


def _resum(result: Any, log: str) -> str:
    return (
        f"answer {result['answer']!r}; {len(result['summaries'])} summaries, "
        f"peak context {result['peak_tokens']} tokens"
    )


def _memory_t1(result: Any, log: str) -> str:
    answered = [row for row in result if str(row["answer"].answer).strip()]
    first = result[0] if result else None
    window = "open" if first is None or first["window"].is_open else "bounded"
    return f"{len(answered)}/{len(result)} temporal questions answered; first window {window}"


@dataclass(frozen=True)
class Demo:
    """One agent's demo as the showcase runs it."""

    name: str
    """The agent (also the name of its run in the trace store)."""
    script: str
    """The script in examples/."""
    argv: list[str] | None
    """Arguments for its `main` (None: call `main()` without any)."""
    summary: Callable[[Any, str], str]
    """One line from what `main` returned and what it printed."""


DEMOS = [
    Demo("typed-tools", "typed_tools_demo.py", None, _tools),
    Demo("goap", "goap_demo.py", None, _goap),
    Demo("fourk", "fourk_demo.py", ["--out", "out/showcase/fourk"], _fourk),
    Demo("embodied", "embodied_demo.py", None, _embodied),
    Demo("rearag", "rearag_demo.py", [], _rearag),
    Demo("resum", "resum_demo.py", [], _resum),
    Demo("memory-t1", "memory_t1_demo.py", [], _memory_t1),
]


def run_demo(demo: Demo, logs: Path) -> tuple[bool, str, float]:
    """Run one demo inside its own agent run; returns (ok, one-line result, seconds)."""
    started = time.perf_counter()
    printed = io.StringIO()
    try:
        namespace = runpy.run_path(str(HERE / demo.script), run_name=f"showcase_{demo.name}")
        with traces.agent_run(f"demo {demo.name}") as span, contextlib.redirect_stdout(printed):
            result = namespace["main"]() if demo.argv is None else namespace["main"](demo.argv)
            line = demo.summary(result, printed.getvalue())
            traces.set_output(span, line)
        ok = True
    except Exception as error:  # one broken demo must not hide the others
        printed.write(traceback.format_exc())
        line, ok = f"failed: {type(error).__name__}: {error}", False
    (logs / f"{demo.name}.log").write_text(printed.getvalue(), encoding="utf-8")
    return ok, line, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    """Run the demos, print one line each and the viewer command; returns the number that failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated agents (default: all)")
    parser.add_argument("--db", type=Path, default=Path(".goalgraph/traces.db"), help="the trace store")
    args = parser.parse_args(argv)
    wanted = set(args.only.split(",")) if args.only else {d.name for d in DEMOS}
    unknown = wanted - {d.name for d in DEMOS}
    console = Console()
    if unknown:
        console.print(
            f"[red]error:[/red] --only: unknown agents {sorted(unknown)}; choose from {[d.name for d in DEMOS]}"
        )
        return 2
    traces.setup(args.db)
    logs = args.db.parent / "showcase"
    logs.mkdir(parents=True, exist_ok=True)
    failed = 0
    for demo in (d for d in DEMOS if d.name in wanted):
        with console.status(f"{demo.name}…"):
            ok, line, seconds = run_demo(demo, logs)
        failed += not ok
        mark = "[green]ok[/green]" if ok else "[red]failed[/red]"
        console.print(
            f"{mark:>22} [bold]{demo.name:<12}[/bold] {line} [dim]({seconds:.0f} s)[/dim]", highlight=False
        )
    traces.force_flush()
    console.print(f"\nlogs: {logs}/   traces: {args.db}")
    console.print(f"open the traces:  [bold]goalgraph traces serve --db {args.db}[/bold]")
    return failed


if __name__ == "__main__":
    sys.exit(min(main(), 1))
