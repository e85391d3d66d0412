"""Memory-T1 pipeline: ingestion, time filter, ranking and typed answers (real MemoryStore, scripted model)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import pytest

from goalgraph.agents.memory_t1 import (
    MemoryT1Config,
    Question,
    build_memory_t1,
    ingest_sessions,
    load_sessions,
    run_question,
    sessions_from_locomo,
)
from goalgraph.llm import scripted
from goalgraph.memory import MemoryStore

SESSIONS = [
    {
        "session_id": "session_1",
        "time": "2023-05-08 13:56",
        "turns": ["Ann: I went to a pottery class yesterday."],
    },
    {
        "session_id": "session_2",
        "time": "2023-06-20 10:00",
        "turns": ["Ann: We hiked Mount Rainier last weekend."],
    },
    {"session_id": "session_3", "time": "2023-08-02 18:30", "turns": ["Ann: I adopted a puppy named Max."]},
]
QUESTION = (
    "What did Ann do between June 1, 2023 and June 30, 2023?\nA. Ann took a pottery class.\n"
    "B. Ann hiked Mount Rainier.\nC. Ann adopted a puppy."
)


def _store() -> MemoryStore:
    store = MemoryStore(embedder="hash")
    ingest_sessions(store, ("t",), load_sessions(SESSIONS))
    return store


def test_time_filter_and_evidence_answer() -> None:
    store = _store()
    q = Question(text=QUESTION, namespace=("t",), asked_at=datetime(2023, 9, 1), task="Explicit_Reasoning")
    state = asyncio.run(run_question(build_memory_t1(store=store), q))
    assert state["candidates"].session_ids == ("session_2",) and state["candidates"].filtered
    assert state["answer"].answer == "B" and state["answer"].selected_memory == ["session_2"]
    off = build_memory_t1(store=store, config=MemoryT1Config(use_time_filter=False))
    assert len(asyncio.run(run_question(off, q))["candidates"].session_ids) == 3


def test_scripted_model_output_is_typed() -> None:
    store = _store()
    model = scripted([{"selected_memory": ["session_2"], "answer": ["C", "A"]}])
    q = Question(text=QUESTION, namespace=("t",), task="Extract")
    graph = build_memory_t1(model=model, store=store, config=MemoryT1Config(evidence_scoring=False))
    ans = asyncio.run(run_question(graph, q))["answer"]
    assert ans.answer == "A C" and ans.selected_memory == ["session_2"]


def test_empty_window_falls_back_to_all_sessions() -> None:
    store = _store()
    q = Question(text="What did Ann do between Jan 1, 2020 and Jan 5, 2020?", namespace=("t",))
    state = asyncio.run(run_question(build_memory_t1(store=store), q))
    assert len(state["candidates"].session_ids) == 3 and not state["candidates"].filtered


def test_locomo_ingest(shared_data: Path) -> None:
    conv = json.loads((shared_data / "locomo" / "26.json").read_text())
    sessions = sessions_from_locomo(conv)
    assert len(sessions) >= 19 and sessions[0].time == datetime(2023, 5, 8, 13, 56)
    store = MemoryStore(embedder="hash")
    assert ingest_sessions(store, ("l",), sessions) == len(sessions)
    assert len(store.search(("l", "sessions"), limit=100)) == len(sessions)


@pytest.mark.slow
def test_embedded_model_gives_a_typed_answer() -> None:
    store = _store()
    q = Question(text=QUESTION, namespace=("t",), asked_at=datetime(2023, 9, 1), task="Explicit_Reasoning")
    state = asyncio.run(run_question(build_memory_t1(model="local", store=store), q))
    ans = state["answer"]
    assert ans.llm_answer in ("A", "B", "C")  # the schema admits only the option letters
    assert set(ans.selected_memory) <= {"session_2"}  # and only ids of the ranked (filtered) sessions
    assert ans.answer == "B" and ans.method == "option_match"
