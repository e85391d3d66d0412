"""`goalgraph eval memory-t1 --data qa.jsonl [--limit N] [--model SPEC] --out result.json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["command"]


def command(
    data: Annotated[Path, typer.Option(help="Time-Dialog qa.jsonl.")],
    out: Annotated[Path, typer.Option(help="Where to write the results JSON.")],
    limit: Annotated[
        int | None, typer.Option(help="A deterministic sample of N questions, stratified by task.")
    ] = None,
    model: Annotated[
        str, typer.Option(help="Model spec for goalgraph.llm.model, or 'none' (evidence only).")
    ] = "local",
    memory: Annotated[
        str,
        typer.Option(
            help="'conversation': pool the sessions of all questions about one conversation; "
            "'question': each question sees only its own sessions."
        ),
    ] = "conversation",
) -> None:
    """Memory-T1 with and without the time filter: accuracy and temporal precision by task and level."""
    from rich.console import Console
    from rich.progress import Progress

    from goalgraph.memory import MemoryStore

    from ._qa_eval import evaluate_qa, load_qa
    from ._report import check_out, write_chart, write_report

    console = Console()
    if not data.is_file():
        console.print(f"[red]--data: no such file: {data}[/red]")
        raise typer.Exit(2)
    if limit is not None and limit < 1:
        console.print("[red]--limit: must be >= 1[/red]")
        raise typer.Exit(2)
    if memory not in ("conversation", "question"):
        console.print(f"[red]--memory: expected 'conversation' or 'question', got {memory!r}[/red]")
        raise typer.Exit(2)
    problem = check_out(out)
    if problem:
        console.print(f"[red]{problem}[/red]")
        raise typer.Exit(2)
    try:
        items = load_qa(data, limit)
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
        task = bar.add_task("questions", total=len(items))
        report = evaluate_qa(
            items,
            llm,
            MemoryStore(embedder="hash"),
            progress=lambda: bar.advance(task),
            memory=memory,  # type: ignore[arg-type]
        )
    report["config"] = {"data": str(data), "limit": limit, "model": model, "memory": memory, "n": len(items)}
    write_report(out, report)
    series = {
        f"{system} {metric}": {g: m[metric] for g, m in groups.items()}
        for metric in ("accuracy", "temporal_precision")
        for system, groups in report["by_group"].items()
    }
    chart = write_chart(
        out.with_suffix(".png"), series, "share", "Memory-T1 with and without the time filter"
    )
    console.print_json(json.dumps(report["summary"]))
    console.print(f"results: {out}  chart: {chart}")
