"""Memory-T1 demo: temporal questions about a LoCoMo conversation (built-in dialogue if shared data is absent).

python examples/memory_t1_demo.py [--model local|none]
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from goalgraph.agents.memory_t1 import (
    Question,
    build_memory_t1,
    ingest_sessions,
    load_sessions,
    run_question,
    sessions_from_locomo,
)
from goalgraph.memory import MemoryStore

BUILTIN = [
    {
        "session_id": "session_1",
        "time": "2023-05-08 13:56",
        "turns": ["Ann: I went to a pottery class yesterday!", "Ben: Nice, what did you make?"],
    },
    {
        "session_id": "session_2",
        "time": "2023-06-20 10:00",
        "turns": ["Ann: We hiked Mount Rainier last weekend.", "Ben: Wow, how was the view?"],
    },
    {
        "session_id": "session_3",
        "time": "2023-08-02 18:30",
        "turns": ["Ann: I adopted a puppy named Max today.", "Ben: Congratulations on Max!"],
    },
]


def main() -> None:
    """Ingest a conversation, ask three temporal questions, print window, candidates and answer."""
    console = Console()
    spec = sys.argv[sys.argv.index("--model") + 1] if "--model" in sys.argv else "none"
    path = Path(os.environ.get("GOALGRAPH_SHARED_DATA", "../shared/data")) / "locomo" / "26.json"
    if path.is_file():
        sessions = sessions_from_locomo(json.loads(path.read_text()))
        questions = [
            "What did Caroline talk about between 8 May, 2023 and 30 May, 2023?",
            "What did Melanie do in the 10 days before 1:00 pm, 25 May, 2023?",
            "What did they discuss in July 2023?",
        ]
    else:
        sessions = load_sessions(BUILTIN)
        questions = [
            "What did Ann make between May 1, 2023 and May 10, 2023?",
            "Where did Ann hike in June 2023?",
            "What did Ann adopt two months ago?",
        ]
    store = MemoryStore(embedder="hash")
    ingest_sessions(store, ("demo",), sessions)
    graph = build_memory_t1(model=None if spec == "none" else spec, store=store)
    table = Table("question", "window", "candidates", "answer / evidence")
    for text in questions:
        q = Question(text=text, namespace=("demo",), asked_at=datetime(2023, 10, 1))
        state = asyncio.run(run_question(graph, q))
        w = state["time_window"]
        table.add_row(
            text,
            f"{w.start} .. {w.end} ({w.source})",
            ", ".join(state["candidates"].session_ids[:6]),
            f"{state['answer'].answer!r} / {state['answer'].selected_memory}",
        )
    console.print(table)


if __name__ == "__main__":
    main()
