"""`goalgraph eval memory-t1 --data qa.jsonl [--limit N] [--model SPEC] --out result.json [--resume]`."""

from __future__ import annotations

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
    concurrency: Annotated[int, typer.Option(help="Episodes in flight at once.")] = 2,
    resume: Annotated[
        bool, typer.Option("--resume", help="Skip the episodes an interrupted run with this --out finished.")
    ] = False,
) -> None:
    """Memory-T1 with and without the time filter: accuracy and temporal precision by task and level."""
    from rich.console import Console

    from goalgraph.evals import check_output

    from ._qa_eval import QAEvalConfig, evaluate_qa, load_qa

    console = Console()

    def fail(message: str) -> typer.Exit:
        console.print(f"[red]{message}[/red]", highlight=False)
        return typer.Exit(2)

    if not data.is_file():
        raise fail(f"--data: no such file: {data}")
    if limit is not None and limit < 1:
        raise fail("--limit: must be >= 1")
    if concurrency < 1:
        raise fail("--concurrency: must be >= 1")
    if memory not in ("conversation", "question"):
        raise fail(f"--memory: expected 'conversation' or 'question', got {memory!r}")
    try:
        check_output(out)
        items = load_qa(data, limit)
    except ValueError as exc:
        raise fail(str(exc) if str(exc).startswith("--out") else f"--data: {exc}") from exc
    llm = None
    if model != "none":
        from goalgraph.llm import model as make_model

        try:
            llm = make_model(model)
        except ValueError as exc:
            raise fail(f"--model: {exc}") from exc
    settings = {"data": str(data), "limit": limit, "model": model, "memory": memory, "n": len(items)}
    evaluate_qa(
        items,
        llm,
        QAEvalConfig(
            out=out,
            memory=memory,  # type: ignore[arg-type]
            concurrency=concurrency,
            resume=resume,
            extra={"config": settings},
        ),
    )
    console.print(f"results: {out}  chart: {out.with_suffix('.png')}", highlight=False)
