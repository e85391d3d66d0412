"""Memory-T1 reward functions against hand-computed values (the rules of the paper's v7 reward code)."""

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
    text_match,
)
from goalgraph.agents.memory_t1._rewards import benchmark_exact_match


def _sig(distance_days: float, length_days: float) -> float:
    """The reference's session-time sigmoid, written out by hand."""
    return 1.5 / (1 + math.exp(0.5 * distance_days / length_days)) - 0.5


@pytest.mark.parametrize(
    ("pred", "gold", "task", "want"),
    [
        # single choice, multi choice (option sets, order-free, spacing-free)
        ("C", "C", "Explicit_Reasoning", 1.0),
        ("B", "C", "Counterfactual", 0.0),
        ("A C", "C A", "Co_temporality", 1.0),
        ("B D", "B  D", "Extract", 1.0),
        ("A", "A C", "Extract", 0.0),
        # timeline: share of positions right, over the predicted length
        ("(1)(2)(3)(4)", "(1)(3)(2)(4)", "Timeline", 0.5),
        ("(2)(1)(3)", "(1)(2)(3)", "Timeline", 1 / 3),
        ("(1)(3)(2)(4)", "(1)(3)(2)(4)", "Timeline", 1.0),
        ("", "(1)(2)", "Timeline", -0.5),  # the reference divides by zero and returns its error value
        ("1 2 3", "(1)(2)(3)", "Timeline", -0.5),
        # computation: every unit expression within a day of one gold expression, same count
        ("3 months 8 days", "3 months 9 days", "Computation", 1.0),
        ("3 months 10 days", "3 months 8 days", "Computation", 0.0),
        ("3 months", "3 months 8 days", "Computation", 0.0),
        ("22 days 12 hours", "22 days 12 hours", "Computation", 1.0),
        # localization: graded by calendar-day distance (the one deliberate deviation, see the module)
        ("May 3, 2023", "11:52 am, May 3, 2023", "Localization", 1.0),
        ("2023-05-03T09:00:00", "May 3, 2023", "Localization", 1.0),
        ("May 6, 2023", "May 3, 2023", "Localization", 0.7),  # 1 - 0.1*3
        ("May 10, 2023", "May 3, 2023", "Localization", 0.5),  # max(0.5, 1 - 0.7)
        ("May 20, 2023", "May 3, 2023", "Localization", 0.3),  # 0.5 - 0.02*(17-7)
        ("June 2, 2023", "May 3, 2023", "Localization", 0.1),  # max(0.1, 0.5 - 0.02*23)
        ("July 3, 2023", "May 3, 2023", "Localization", 0.0),
        ("soon", "soon", "Localization", 1.0),  # unparseable: string equality
    ],
)
def test_accuracy_by_task(pred: str, gold: str, task: str, want: float) -> None:
    assert accuracy_reward(pred, gold, task) == pytest.approx(want)


def test_grounding_cases() -> None:
    assert grounding_reward({"session_1"}, {"session_1"}) == 1.0  # exact
    assert grounding_reward({"session_1", "session_2"}, {"session_1"}) == 0.5  # overlap
    assert grounding_reward({"session_1"}, {"session_1", "session_4"}) == 0.5
    assert grounding_reward({"session_3"}, {"session_1"}) == -1.0  # disjoint
    assert grounding_reward(set(), {"session_1"}) == -1.0  # nothing selected
    assert grounding_reward(set(), set()) == 1.0  # no gold evidence and none selected


def test_session_time_reward() -> None:
    start, end = date(2023, 5, 1), date(2023, 5, 11)  # 10 days
    assert session_time_reward(date(2023, 5, 5), start, end) == 1.0
    assert session_time_reward(date(2023, 5, 11), start, end) == 1.0  # bounds are inclusive
    assert session_time_reward(date(2023, 5, 16), start, end) == pytest.approx(_sig(5, 10))  # after
    assert session_time_reward(date(2023, 4, 21), start, end) == pytest.approx(_sig(10, 10))  # before
    assert session_time_reward(date(2030, 1, 1), start, end) == pytest.approx(-0.5, abs=1e-6)
    # a one-day window counts as length 1
    assert session_time_reward(date(2023, 5, 3), start, start) == pytest.approx(_sig(2, 1))


def test_text_match_by_hand() -> None:
    question = "What did Ann do at the pottery class in May?"
    # content words of the question: what did ann pottery class may (6); both words found -> capped at 1
    assert text_match("pottery class", question) == 1.0
    # 1 of 3 words found, alone (no contiguity bonus), at position 3 of 6: 1/3 + (1 - 3/6) * 0.2
    assert text_match("pottery wheel lesson", question) == pytest.approx(1 / 3 + 0.1)
    assert text_match("surfing", question) == 0.0
    assert text_match("the of and", question) == 0.0  # no content words


def _ctx(
    events: tuple[EventTime, ...] = (), window: tuple[str | None, str | None] | None = None
) -> RewardContext:
    return RewardContext(
        task="Explicit_Reasoning",
        gold_answer="B",
        gold_sessions=frozenset({"session_1"}),
        window=window or ("2023-05-01T00:00:00", "2023-05-11T23:59:59"),
        question="What did Ann do at the pottery class in May?",
        sessions=(
            SessionRecord("session_1", "2023-05-05T10:00:00", events),
            SessionRecord("session_2", "2023-05-16T10:00:00"),
        ),
    )


def test_consistency_session_level() -> None:
    assert temporal_consistency([], _ctx()) == 0.0
    assert temporal_consistency(["session_1"], _ctx()) == pytest.approx(0.5)  # (1 + no events 0) / 2
    assert temporal_consistency(["session_2"], _ctx()) == pytest.approx(_sig(5, 10) / 2)
    # mean over the selection; an unknown session id scores 0 but still counts
    assert temporal_consistency(["session_1", "session_9"], _ctx()) == pytest.approx(0.25)
    assert temporal_consistency(["session_1", "session_1"], _ctx()) == pytest.approx(0.5)


def test_consistency_unknown_window_uses_default_bounds() -> None:
    # unknown bounds become 2020-01-01 .. 2025-08-01 (2039 days): an in-between session is inside
    ctx = _ctx(window=("unknown", "unknown"))
    assert temporal_consistency(["session_1"], ctx) == pytest.approx(0.5)
    early = RewardContext(
        task="Extract",
        gold_answer="A",
        window=(None, None),
        question="q",
        sessions=(SessionRecord("session_1", "2019-12-31T12:00:00"),),
    )
    assert temporal_consistency(["session_1"], early) == pytest.approx(_sig(1, 2039) / 2)


@pytest.mark.parametrize(
    ("event", "want"),
    [
        # event text in the question (similarity 1), contained in the window -> relation 1
        (EventTime("pottery class", "2023-05-04T00:00:00", "2023-05-04T23:59:59"), (1 + 1.0) / 2),
        # disjoint -> -1
        (EventTime("pottery class", "2023-06-04T00:00:00", "2023-06-04T23:59:59"), (1 - 1.0) / 2),
        # overlapping the window's start -> 0.5
        (EventTime("pottery class", "2023-04-28T00:00:00", "2023-05-02T00:00:00"), (1 + 0.5) / 2),
        # inverted event interval -> -1
        (EventTime("pottery class", "2023-05-09T00:00:00", "2023-05-02T00:00:00"), (1 - 1.0) / 2),
        # one unknown end defaults to 2025-08-01: overlaps -> 0.5
        (EventTime("pottery class", "2023-05-04T00:00:00", "unknown"), (1 + 0.5) / 2),
        # both ends unknown -> skipped
        (EventTime("pottery class"), (1 + 0.0) / 2),
        # similarity below 0.2 -> skipped
        (EventTime("surfing lesson", "2023-05-04T00:00:00", "2023-05-04T23:59:59"), (1 + 0.0) / 2),
        # partial similarity weighs the relation: (1/3 + 0.1) * 1
        (
            EventTime("pottery wheel lesson", "2023-05-04T00:00:00", "2023-05-04T23:59:59"),
            (1 + 1 / 3 + 0.1) / 2,
        ),
    ],
)
def test_consistency_utterance_level(event: EventTime, want: float) -> None:
    assert temporal_consistency(["session_1"], _ctx((event,))) == pytest.approx(want)


def test_consistency_density_is_a_mean_over_valid_events() -> None:
    inside = EventTime("pottery class", "2023-05-04T00:00:00", "2023-05-04T23:59:59")
    outside = EventTime("pottery class", "2023-06-04T00:00:00", "2023-06-04T23:59:59")
    skipped = EventTime("pottery class")
    # density = (1 - 1) / 2 valid events = 0 -> (1 + 0) / 2
    assert temporal_consistency(["session_1"], _ctx((inside, outside, skipped))) == pytest.approx(0.5)


def test_full_reward() -> None:
    out = json.dumps({"selected_memory": ["<session_1>"], "answer": "B"})
    assert memory_t1_reward(out, _ctx()) == pytest.approx(0.6 + 0.2 + 0.2 * 0.5)
    fenced = "```json\n" + json.dumps({"selected_memory": ["session_2"], "answer": "A"}) + "\n```"
    assert memory_t1_reward(fenced, _ctx()) == pytest.approx(0.0 - 0.2 + 0.2 * _sig(5, 10) / 2)
    both = json.dumps({"selected_memory": ["session_1", "session_2"], "answer": "A"})
    assert memory_t1_reward(both, _ctx()) == pytest.approx(0.2 * 0.5 + 0.2 * (0.5 + _sig(5, 10) / 2) / 2)
    unclosed = "```json\n" + json.dumps({"selected_memory": ["session 1"], "answer": "B"})
    # "session 1" is not a session id: nothing selected -> grounding -1, consistency 0
    assert memory_t1_reward(unclosed, _ctx()) == pytest.approx(0.6 - 0.2)
    assert memory_t1_reward(json.dumps({"selected_memory": ["session_1"], "answer": None}), _ctx()) == (
        pytest.approx(0.2 + 0.2 * 0.5)
    )
    assert memory_t1_reward("not json", _ctx()) == -1.0
    assert memory_t1_reward("[1, 2]", _ctx()) == -1.0  # JSON, but not an object with the answer fields


@pytest.mark.parametrize(
    ("pred", "gold", "task", "want"),
    [
        ("A.", "A", "Explicit_Reasoning", 1.0),
        ("A C", "C  A", "Extract", 1.0),
        ("A", "A C", "Extract", 0.0),
        ("(1)(3)(2)", "(1)(2)(3)", "Timeline", 0.0),  # order matters (the scorer's set compare would say 1)
        ("(1)(2)(3)", "(1)(2)(3)", "Timeline", 1.0),
        ("January 15, 2024", "2024-01-15T10:00:00", "Localization", 1.0),
        ("10:45:41 pm, January 15, 2024", "January 15, 2024", "Localization", 0.0),
        ("10:45:41 pm, January 15, 2024", "10:45:41 pm, January 15, 2024", "Localization", 1.0),
    ],
)
def test_benchmark_exact_match(pred: str, gold: str, task: str, want: float) -> None:
    assert benchmark_exact_match(pred, gold, task) == want
