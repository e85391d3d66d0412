"""ReSum: a search run under a small context budget that summarizes at least once; prints each summary.

goalgraph demo resum              # or: python examples/resum_demo.py [--budget 640]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.panel import Panel

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _demo_corpus import ANSWER, CORPUS, QUESTION

from goalgraph.agents.resum import ReSumConfig, build_resum, default_token_counter, run_resum
from goalgraph.tools.retrieval import HybridIndex, IndexConfig, RetrievalEngine, resolve_model


def main(argv: list[str] | None = None) -> Any:
    """Run the agent with a budget small enough that its context must be summarized, then show the summaries."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="local", help="model spec (default: the embedded model)")
    parser.add_argument("--budget", type=int, default=640, help="context budget in the model's tokens")
    args = parser.parse_args(argv)
    console = Console()
    with console.status("loading the model"):
        model = resolve_model(args.model)
        engine = RetrievalEngine(HybridIndex(CORPUS, IndexConfig(dense=False)))
        # Also a summary after every round, so the demo shows one even when the model answers early.
        config = ReSumConfig(budget=args.budget, max_rounds=5, summarize_every=1)
        graph = build_resum(model, engine, count_tokens=default_token_counter(args.model), config=config)
    console.print(f"[bold]Question:[/bold] {QUESTION}   [dim](budget {args.budget} tokens)[/dim]")
    final = asyncio.run(run_resum(graph, QUESTION))
    for event in final["trajectory"]:
        if event["kind"] == "tool":
            console.print(f"[cyan]round {event['round']}[/cyan] {event['call']}")
        elif event["kind"] == "summary":
            console.print(
                Panel(
                    event["summary"],
                    title=f"summary after round {event['round']} ({event['input_tokens']} tokens in)",
                    border_style="green",
                )
            )
        elif event["kind"] == "invalid":
            console.print(f"[yellow]{event['feedback']}[/yellow]")
    console.print(
        f"[bold]Answer:[/bold] {final['answer']}   (expected: {ANSWER}; status: {final['status']}; "
        f"summaries: {len(final['summaries'])}; peak context: {final['peak_tokens']} / {args.budget} tokens)"
    )
    return final


if __name__ == "__main__":
    main()
