"""Memory-T1 reward functions against hand-computed values."""

from __future__ import annotations

import json
import math
from datetime import date

import pytest

from goalgraph.agents.memory_t1 import (
    EventTime,
    RewardContext,
    SessionRecord,
    accuracy_reward,
    grounding_reward,
    memory_t1_reward,
    session_time_reward,
    temporal_consistency,
)


@pytest.mark.parametrize(
    ("pred", "gold", "task", "want"),
    [
        ("C", "C", "Explicit_Reasoning", 1.0),
        ("A C", "C A", "Co_temporality", 1.0),  # option sets, order-free
        ("A", "A C", "Co_temporality", 0.0),
        ("(1)(2)(3)(4)", "(1)(3)(2)(4)", "Timeline", 0.5),  # 2 of 4 positions right
        ("", "(1)(2)", "Timeline", -0.5),
        ("3 months 8 days", "3 months 9 days", "Computation", 1.0),  # each expression within a day
        ("3 months 10 days", "3 months 8 days", "Computation", 0.0),
        ("May 3, 2023", "11:52 am, May 3, 2023", "Localization", 1.0),
        ("May 6, 2023", "May 3, 2023", "Localization", 0.7),  # 1 - 0.1*3
        ("May 20, 2023", "May 3, 2023", "Localization", 0.3),  # 0.5 - 0.02*(17-7)
        ("July 3, 2023", "May 3, 2023", "Localization", 0.0),
    ],
)
def test_accuracy_by_task(pred: str, gold: str, task: str, want: float) -> None:
    assert accuracy_reward(pred, gold, task) == pytest.approx(want)


def test_grounding_cases() -> None:
    assert grounding_reward({"session_1"}, {"session_1"}) == 1.0
    assert grounding_reward({"session_1", "session_2"}, {"session_1"}) == 0.5
    assert grounding_reward({"session_3"}, {"session_1"}) == -1.0
    assert grounding_reward(set(), set()) == 1.0


def test_session_time_reward() -> None:
    start, end = date(2023, 5, 1), date(2023, 5, 11)  # 10 days
    assert session_time_reward(date(2023, 5, 5), start, end) == 1.0
    # 5 days after the end: relative distance 0.5 -> 1.5/(1+e^0.25) - 0.5
    assert session_time_reward(date(2023, 5, 16), start, end) == pytest.approx(
        1.5 / (1 + math.exp(0.25)) - 0.5
    )
    assert session_time_reward(date(2030, 1, 1), start, end) == pytest.approx(-0.5, abs=1e-6)


def _ctx(events: tuple[EventTime, ...] = ()) -> RewardContext:
    return RewardContext(
        task="Explicit_Reasoning",
        gold_answer="B",
        gold_sessions=frozenset({"session_1"}),
        window=("2023-05-01T00:00:00", "2023-05-11T23:59:59"),
        question="What did Ann do at the pottery class in May?",
        sessions=(
            SessionRecord("session_1", "2023-05-05T10:00:00", events),
            SessionRecord("session_2", "2023-05-16T10:00:00"),
        ),
    )


def test_consistency_session_and_utterance_levels() -> None:
    assert temporal_consistency([], _ctx()) == 0.0
    # session level only (no events): in-window -> (1 + 0)/2
    assert temporal_consistency(["session_1"], _ctx()) == pytest.approx(0.5)
    # utterance level: event text fully in the question (sim 1.0 after cap), contained in window -> +1
    inside = EventTime("pottery class", "2023-05-04T00:00:00", "2023-05-04T23:59:59")
    assert temporal_consistency(["session_1"], _ctx((inside,))) == pytest.approx(1.0)
    outside = EventTime("pottery class", "2023-06-04T00:00:00", "2023-06-04T23:59:59")
    assert temporal_consistency(["session_1"], _ctx((outside,))) == pytest.approx(0.0)
    partial = EventTime("pottery class", "2023-04-28T00:00:00", "2023-05-02T00:00:00")
    assert temporal_consistency(["session_1"], _ctx((partial,))) == pytest.approx(0.75)
    unknown = EventTime("pottery class")
    assert temporal_consistency(["session_1"], _ctx((unknown,))) == pytest.approx(0.5)


def test_full_reward() -> None:
    out = json.dumps({"selected_memory": ["<session_1>"], "answer": "B"})
    assert memory_t1_reward(out, _ctx()) == pytest.approx(0.6 + 0.2 + 0.2 * 0.5)
    fenced = "```json\n" + json.dumps({"selected_memory": ["session_2"], "answer": "A"}) + "\n```"
    far = (1.5 / (1 + math.exp(0.5 * 5 / 10)) - 0.5) / 2
    assert memory_t1_reward(fenced, _ctx()) == pytest.approx(0.0 - 0.2 + 0.2 * far)
    assert memory_t1_reward("not json", _ctx()) == -1.0
