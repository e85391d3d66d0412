"""Evidence tools: events located among stored utterances, dated, ordered, measured (real store, no model)."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from goalgraph.agents.memory_t1 import Question, build_memory_t1, ingest_sessions, sessions_from_time_dialog
from goalgraph.agents.memory_t1._events import UtteranceIndex, event_time, utterances_of
from goalgraph.memory import MemoryStore

ROW = {
    "sessions": [
        {
            "session_id": "1",
            "time": "2023-05-05T10:00:00",
            "text": "Ann 2023-05-05T10:00:00 : I adopted a puppy named Max yesterday!\n"
            "Ben 2023-05-05T10:00:00 : Congrats on the new dog!",
        },
        {
            "session_id": "2",
            "time": "2023-06-10T18:30:00",
            "text": "Ann 2023-06-10T18:30:00 : We hiked Mount Rainier last Saturday.\n"
            "Ben 2023-06-10T18:30:00 : The view must be great.",
        },
        {
            "session_id": "3",
            "time": "2023-07-01T09:00:00",
            "text": "Ann (01.07.2023, 09:15:30) 2023-07-01T09:00:00 : I shared a photo of the Eiffel Tower at night.\n"
            "Ben (01.07.2023, 09:20:00) 2023-07-01T09:00:00 : Paris looks lovely.",
        },
    ]
}
COMPARE = (
    "\nA. Fact 1 happened earlier.\nB. Fact 2 happened earlier.\nC. They happen at almost the same time."
)
DURATIONS = (
    "\nA. Duration 1 is longer.\nB. Duration 2 is longer.\nC. The two durations are approximately the same."
)


@pytest.fixture(scope="module")
def store() -> MemoryStore:
    s = MemoryStore(embedder="hash")
    ingest_sessions(s, ("r",), sessions_from_time_dialog(ROW))
    return s


def _answer(store: MemoryStore, text: str, task: str) -> tuple[str, str]:
    q = Question(text=text, namespace=("r",), asked_at=datetime(2023, 9, 1), task=task)
    state = asyncio.run(build_memory_t1(store=store).ainvoke({"question": q}))
    return state["answer"].answer, state["answer"].method


def test_utterance_times_and_event_days(store: MemoryStore) -> None:
    utts = utterances_of(store, ("r",), ("session_1", "session_2", "session_3"))
    assert [u.time for u in utts][-2:] == [datetime(2023, 7, 1, 9, 15, 30), datetime(2023, 7, 1, 9, 20)]
    index = UtteranceIndex(utts)
    puppy = index.locate("Ann adopted a puppy")
    hike = index.locate("hiked Mount Rainier")
    assert puppy and hike
    assert event_time(puppy[0]) == datetime(2023, 5, 4)  # "yesterday", said on May 5
    assert event_time(hike[0]) == datetime(2023, 6, 3)  # "last Saturday", said on Saturday June 10


@pytest.mark.parametrize(
    ("text", "task", "want", "tool"),
    [
        (
            "For Fact1: Ann hiked Mount Rainier. and Fact2: Ann adopted a puppy named Max., "
            "which one happened earlier?" + COMPARE,
            "Order_Compare",
            "B",
            "order_compare",
        ),
        (
            "Which of the following two durations is longer? *Duration 1:* Between Ann adopted a puppy named "
            "Max. and Ann hiked Mount Rainier. *Duration 2:* Between Ann hiked Mount Rainier. and Ann shared a "
            "photo of the Eiffel Tower." + DURATIONS,
            "Duration_Compare",
            "A",  # 30 days against 28 days 9 hours
            "duration_compare",
        ),
        (
            "Below are 3 facts. You need to sort these facts in chronological order.\n\n"
            "(1) Ann hiked Mount Rainier.\n(2) Ann shared a photo of the Eiffel Tower.\n(3) Ann adopted a puppy.",
            "Timeline",
            "(3)(1)(2)",
            "timeline",
        ),
        (
            "How much time passed from Ann adopting a puppy named Max until Ann hiked Mount Rainier?",
            "Computation",
            "30 days",
            "computation",
        ),
        (
            "When did Ann share a photo of the Eiffel Tower?",
            "Localization",
            "9:15:30 am, July 1, 2023",
            "localization",
        ),
        ("When did Ann adopt a puppy named Max?", "Localization", "May 4, 2023", "localization"),
        (
            "Which of the following are time expressions mentioned in the context? (Note: There may be one or "
            "more correct options.)\nA. May 4, 2023\nB. June 3, 2023\nC. 2021\nD. July 9, 2023",
            "Extract",
            "A B",
            "extract",
        ),
    ],
)
def test_evidence_tools(store: MemoryStore, text: str, task: str, want: str, tool: str) -> None:
    assert _answer(store, text, task) == (want, tool)


def test_no_evidence_leaves_the_answer_to_the_model(store: MemoryStore) -> None:
    text = "For Fact1: Zed sailed to Oslo. and Fact2: Yan flew kites., which one happened earlier?" + COMPARE
    answer, method = _answer(store, text, "Order_Compare")
    assert method in ("none", "option_match") and answer in ("", "A", "B", "C")
