"""`goalgraph eval resum`: ReSum vs plain ReAct at the same context budget on the pooled multihop corpus.

goalgraph eval resum --data ../shared/data/multihop/questions.jsonl --budget 2048 --limit 60 --out r.json
"""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["command"]


def command(
    data: Path = typer.Option(..., "--data", help="Multihop questions.jsonl."),
    out: Path = typer.Option(Path("results/resum.json"), "--out", help="Results JSON to write."),
    budget: int = typer.Option(2048, "--budget", min=256, help="Context budget in the model's tokens."),
    limit: int | None = typer.Option(
        None, "--limit", min=1, help="Questions (3/4-hop MuSiQue first, then HotpotQA)."
    ),
    model: str = typer.Option("local", "--model", help="Agent model spec: local or openai:MODEL@URL."),
    summarizer: str | None = typer.Option(
        None, "--summarizer", help="Summarizer model spec (default: the agent's)."
    ),
    max_rounds: int = typer.Option(
        10, "--max-rounds", min=1, help="Tool calls before the agent must answer."
    ),
    concurrency: int = typer.Option(1, "--concurrency", min=1, help="Episodes in flight."),
) -> None:
    """Evaluate ReSum against ReAct (F1, EM, peak context tokens, overflows, summaries, rounds, seconds)."""
    from goalgraph.agents._resum_eval import ResumEvalConfig, run_resum_eval
    from goalgraph.agents.resum import ReSumConfig

    if not data.is_file():
        raise typer.BadParameter(f"file not found: {data}", param_hint="--data")
    try:
        run_resum_eval(
            ResumEvalConfig(
                data=data,
                out=out,
                limit=limit,
                model=model,
                summarizer=summarizer,
                concurrency=concurrency,
                agent=ReSumConfig(budget=budget, max_rounds=max_rounds),
            )
        )
    except ValueError as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
