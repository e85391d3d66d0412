"""ReaRAG: answer a built-in two-hop question over a small built-in corpus and print the chain.

goalgraph demo rearag             # or: python examples/rearag_demo.py [--model openai:MODEL@URL]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _demo_corpus import ANSWER, CORPUS, QUESTION

from goalgraph.agents.rearag import build_rearag, run_rearag
from goalgraph.tools.retrieval import HybridIndex, IndexConfig, RetrievalEngine, resolve_model


def main(argv: list[str] | None = None) -> Any:
    """Build the engine and the graph, run the question, print every step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="local", help="model spec (default: the embedded model)")
    args = parser.parse_args(argv)
    console = Console()
    with console.status("loading the model and indexing the corpus"):
        model = resolve_model(args.model)
        engine = RetrievalEngine(HybridIndex(CORPUS, IndexConfig(dense=False)), model=model)
        graph = build_rearag(model, engine)
    console.print(f"[bold]Question:[/bold] {QUESTION}")
    started = time.perf_counter()
    final = asyncio.run(run_rearag(graph, QUESTION))
    table = Table(title="ReaRAG chain", show_lines=True)
    for column in ("#", "thought", "action", "observation"):
        table.add_column(column)
    for number, step in enumerate(final["chain"], start=1):
        action = step["action"]
        argument = action.get("query") or action.get("answer") or ""
        table.add_row(
            str(number),
            step["thought"],
            f'{action["function"]}("{argument}")',
            str(step.get("observation") or ""),
        )
    console.print(table)
    console.print(
        f"[bold]Answer:[/bold] {final['answer']}   (expected: {ANSWER}; status: {final['status']}; "
        f"{time.perf_counter() - started:.1f} s)"
    )
    return final


if __name__ == "__main__":
    main()
