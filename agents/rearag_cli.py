"""`goalgraph eval rearag`: ReaRAG vs one-shot RAG vs closed-book on a multihop QA file.

goalgraph eval rearag --data ../shared/data/multihop/questions.jsonl --setting pooled --limit 100 --out r.json
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

__all__ = ["command"]

Setting = Literal["distractor", "pooled"]


def command(
    data: Path = typer.Option(..., "--data", help="Multihop questions.jsonl."),
    out: Path = typer.Option(Path("results/rearag.json"), "--out", help="Results JSON to write."),
    setting: Setting = typer.Option(
        "distractor", "--setting", help="distractor (own paragraphs) or pooled (all)."
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Stratified deterministic sample size."),
    model: str = typer.Option("local", "--model", help="Model spec: local, openai:MODEL@URL, or none."),
    max_steps: int = typer.Option(15, "--max-steps", min=1, help="Maximum ReaRAG chain length."),
    bm25_only: bool = typer.Option(False, "--bm25-only", help="Lexical retrieval only (no dense vectors)."),
    concurrency: int = typer.Option(1, "--concurrency", min=1, help="Episodes in flight."),
) -> None:
    """Evaluate ReaRAG against one-shot RAG and closed-book (EM, F1, supporting recall, searches, seconds)."""
    from goalgraph.agents._rearag_eval import RearagEvalConfig, run_rearag_eval
    from goalgraph.agents.rearag import ReaRAGConfig

    if not data.is_file():
        raise typer.BadParameter(f"file not found: {data}", param_hint="--data")
    try:
        run_rearag_eval(
            RearagEvalConfig(
                data=data,
                out=out,
                setting=setting,
                limit=limit,
                model=model,  # type: ignore[arg-type]
                dense=not bm25_only,
                concurrency=concurrency,
                rearag=ReaRAGConfig(max_steps=max_steps),
            )
        )
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
