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
    limit: Annotated[int | None, typer.Option(help="Only the first N questions.")] = None,
    model: Annotated[
        str, typer.Option(help="Model spec for goalgraph.llm.model, or 'none' (evidence only).")
    ] = "local",
) -> None:
    """Memory-T1 with and without the time filter: accuracy and temporal precision by task and level."""
    from rich.console import Console
    from rich.progress import Progress

    from goalgraph.memory import MemoryStore

    from ._qa_eval import evaluate_qa, load_qa

    console = Console()
    if not data.is_file():
        console.print(f"[red]--data: no such file: {data}[/red]")
        raise typer.Exit(2)
    if limit is not None and limit < 1:
        console.print("[red]--limit: must be >= 1[/red]")
        raise typer.Exit(2)
    try:
        rows = load_qa(data, limit)
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
        task = bar.add_task("questions", total=len(rows))
        report = evaluate_qa(rows, llm, MemoryStore(embedder="hash"), progress=lambda: bar.advance(task))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=1, default=str), encoding="utf-8")
    console.print_json(json.dumps(report["summary"]))
