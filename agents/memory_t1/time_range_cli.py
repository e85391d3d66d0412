"""`goalgraph eval time-range --data ranges.jsonl --out result.json [--model SPEC] [--resume]`."""

from __future__ import annotations

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
    concurrency: Annotated[int, typer.Option(help="Episodes in flight at once.")] = 2,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip the episodes an interrupted run with this --out finished.")
    ] = False,
) -> None:
    """Score the estimated windows against the annotated ones (exact to the minute, IoU, open bounds)."""
    from rich.console import Console

    from goalgraph.evals import check_output

    from ._ranges import RangeEvalConfig, evaluate_ranges, load_ranges

    console = Console()

    def fail(message: str) -> typer.Exit:
        console.print(f"[red]{message}[/red]", highlight=False)
        return typer.Exit(2)

    if not data.is_file():
        raise fail(f"--data: no such file: {data}")
    if concurrency < 1:
        raise fail("--concurrency: must be >= 1")
    try:
        check_output(out)
        items = load_ranges(data)
    except ValueError as exc:
        raise fail(str(exc) if str(exc).startswith("--out") else f"--data: {exc}") from exc
    llm = None
    if model != "none":
        from goalgraph.llm import model as make_model

        try:
            llm = make_model(model)
        except ValueError as exc:
            raise fail(f"--model: {exc}") from exc
    settings = {"data": str(data), "model": model, "n": len(items)}
    evaluate_ranges(
        items,
        RangeEvalConfig(out=out, concurrency=concurrency, resume=resume, extra={"config": settings}),
        model=llm,
    )
    console.print(f"results: {out}  chart: {out.with_suffix('.png')}", highlight=False)
