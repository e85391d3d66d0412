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
    model: Annotated[
        str,
        typer.Option(
            help="'none' (the rule parser alone) or a model spec: the LLM's typed fallback joins in."
        ),
    ] = "none",
) -> None:
    """Score the estimated windows against the annotated ones (exact to the minute, IoU, open bounds)."""
    from rich.console import Console
    from rich.progress import Progress

    from ._ranges import evaluate_ranges, load_ranges
    from ._report import check_out, write_chart, write_report

    console = Console()
    if not data.is_file():
        console.print(f"[red]--data: no such file: {data}[/red]")
        raise typer.Exit(2)
    problem = check_out(out)
    if problem:
        console.print(f"[red]{problem}[/red]")
        raise typer.Exit(2)
    try:
        items = load_ranges(data)
    except ValueError as exc:
        console.print(f"[red]--data: {exc}[/red]")
        raise typer.Exit(2) from exc
    llm = None
    if model != "none":
        from goalgraph.llm import model as make_model

        try:
            llm = make_model(model)
        except ValueError as exc:
            console.print(f"[red]--model: {exc}[/red]")
            raise typer.Exit(2) from exc
    with Progress(console=console) as bar:
        task = bar.add_task("windows", total=len(items))
        report = evaluate_ranges(items, progress=lambda: bar.advance(task), model=llm)
    report["config"] = {"data": str(data), "model": model, "n": len(items)}
    write_report(out, report)
    groups = report["by_group"]["estimator"]
    series = {m: {g: v[m] for g, v in groups.items()} for m in ("exact", "iou", "open_bounds_correct")}
    chart = write_chart(out.with_suffix(".png"), series, "share", "Time-window estimates by annotation group")
    console.print_json(json.dumps({"summary": report["summary"], "by_group": report["by_group"]}))
    console.print(f"results: {out}  chart: {chart}")
