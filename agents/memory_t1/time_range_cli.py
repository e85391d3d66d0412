"""`goalgraph eval time-range --data ranges.jsonl --out result.json`: stage-1 window estimation vs. annotation."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["command"]


def command(
    data: Annotated[Path, typer.Option(help="Time-Dialog ranges.jsonl (question + annotated time_range).")],
    out: Annotated[Path, typer.Option(help="Where to write the results JSON.")],
) -> None:
    """Score the temporal-expression parser's windows against the annotated ones (exact, IoU, open bounds)."""
    from rich.console import Console
    from rich.progress import Progress

    from ._ranges import evaluate_ranges, load_ranges

    console = Console()
    if not data.is_file():
        console.print(f"[red]--data: no such file: {data}[/red]")
        raise typer.Exit(2)
    try:
        items = load_ranges(data)
    except ValueError as exc:
        console.print(f"[red]--data: {exc}[/red]")
        raise typer.Exit(2) from exc
    with Progress(console=console) as bar:
        task = bar.add_task("windows", total=len(items))
        report = evaluate_ranges(items, progress=lambda: bar.advance(task))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1), encoding="utf-8")
    console.print_json(json.dumps({"summary": report["summary"], "by_group": report["by_group"]}))
