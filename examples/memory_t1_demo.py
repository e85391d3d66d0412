"""Memory-T1 demo: temporal questions about a LoCoMo conversation (a built-in dialogue if shared data is absent).

python examples/memory_t1_demo.py [--model local|none]     # local: the embedded SmolLM2 answers too
Shows, per question, the estimated window, the candidate sessions the time filter kept, the answer, and the
steps the GOAP planner chose (a step that failed is marked, and the plan after it went around it).
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from goalgraph.agents.memory_t1 import (
    Question,
    build_memory_t1,
    ingest_sessions,
    load_sessions,
    plan_steps,
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
COMPARE = (
    "\nA. Fact 1 happened earlier.\nB. Fact 2 happened earlier.\nC. They happen at almost the same time."
)
LOCOMO_QUESTIONS = [
    ("When did Caroline go to the LGBTQ support group?", "Localization"),
    (
        "For Fact1: Melanie signed up for a pottery class. and Fact2: Caroline went to a LGBTQ support group., "
        "which one happened earlier?" + COMPARE,
        "Order_Compare",
    ),
    (
        "How much time passed from Caroline going to the LGBTQ support group until Melanie signed up for a "
        "pottery class?",
        "Computation",
    ),
    ("What did Caroline talk about between 8 May, 2023 and 30 May, 2023?", "Explicit_Reasoning"),
]
BUILTIN_QUESTIONS = [
    ("When did Ann go to a pottery class?", "Localization"),
    (
        "For Fact1: Ann adopted a puppy named Max. and Fact2: Ann hiked Mount Rainier., which one happened earlier?"
        + COMPARE,
        "Order_Compare",
    ),
    ("Where did Ann hike in June 2023?", "Explicit_Reasoning"),
]


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Ingest a conversation, ask temporal questions, print window, candidates and answer; returns the rows."""
    args = sys.argv[1:] if argv is None else argv
    spec = args[args.index("--model") + 1] if "--model" in args else "local"
    console = Console()
    path = Path(os.environ.get("GOALGRAPH_SHARED_DATA", "../shared/data")) / "locomo" / "26.json"
    if path.is_file():
        sessions = sessions_from_locomo(json.loads(path.read_text(encoding="utf-8")))
        questions, source = LOCOMO_QUESTIONS, f"LoCoMo {path.name}"
    else:
        sessions = load_sessions(BUILTIN)
        questions, source = BUILTIN_QUESTIONS, "built-in dialogue"
    store = MemoryStore(embedder="hash")
    ingest_sessions(store, ("demo",), sessions)
    asked = max(s.time for s in sessions) + timedelta(days=1)
    console.print(f"[bold]{source}[/bold]: {len(sessions)} sessions, asked at {asked:%Y-%m-%d}, model {spec}")
    graph = build_memory_t1(model=None if spec == "none" else spec, store=store)
    table = Table("question", "window", "candidates", "answer (method) / model's answer / evidence")
    rows = []
    for text, task in questions:
        q = Question(text=text, namespace=("demo",), asked_at=asked, task=task)
        state = asyncio.run(run_question(graph, q))
        w, c, a = state["time_window"], state["candidates"], state["answer"]
        window = "open" if w.is_open else f"{_day(w.start)} .. {_day(w.end)} ({w.source})"
        kept = f"{len(c.session_ids)}/{len(sessions)}: " + ", ".join(c.session_ids[:4])
        table.add_row(
            text.splitlines()[0],
            window,
            kept,
            f"{a.answer!r} ({a.method}) / {a.llm_answer!r} / {a.selected_memory}",
        )
        rows.append(
            {
                "question": text,
                "window": w,
                "candidates": c.session_ids,
                "answer": a,
                "steps": plan_steps(state),
            }
        )
    console.print(table)
    plans = Counter(" → ".join(r["steps"]) for r in rows)
    for steps, n in plans.items():
        console.print(f"[bold]plan[/bold] ({n} question{'s' * (n > 1)}): {steps}", highlight=False)
    return rows


def _day(t: datetime | None) -> str:
    return "open" if t is None else f"{t:%Y-%m-%d %H:%M}"


if __name__ == "__main__":
    main()
