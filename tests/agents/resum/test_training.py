"""ReSum-GRPO helpers against hand-computed segments and advantages."""

from __future__ import annotations

import math

import pytest

from goalgraph.agents.resum import broadcast_advantages, group_advantages, split_segments

TRAJECTORY = [
    {"kind": "step", "round": 1},
    {"kind": "tool", "round": 1},
    {"kind": "summary", "summary": "S1"},
    {"kind": "step", "round": 2},
    {"kind": "tool", "round": 2},
    {"kind": "summary", "summary": "S2"},
    {"kind": "step", "round": 3},
    {"kind": "answer", "answer": "x"},
]


def test_split_at_each_summary() -> None:
    segments = split_segments(TRAJECTORY)
    assert [len(s.events) for s in segments] == [3, 3, 2]
    assert [s.start_summary for s in segments] == [None, "S1", "S2"]
    assert [s.events[-1]["kind"] for s in segments] == ["summary", "summary", "answer"]
    assert split_segments([{"kind": "answer"}])[0].start_summary is None


def test_group_advantages_hand_computed() -> None:
    # rewards 1, 0, 0, 1: mean 0.5, population std 0.5 -> +1, -1, -1, +1
    assert group_advantages([1.0, 0.0, 0.0, 1.0], eps=0.0) == [1.0, -1.0, -1.0, 1.0]
    # rewards 3, 1, 2: mean 2, std sqrt(2/3)
    expected = [1 / math.sqrt(2 / 3), -1 / math.sqrt(2 / 3), 0.0]
    assert group_advantages([3.0, 1.0, 2.0], eps=0.0) == pytest.approx(expected)
    assert group_advantages([0.5, 0.5]) == [0.0, 0.0]


def test_broadcast_gives_every_segment_its_trajectory_advantage() -> None:
    segments = broadcast_advantages([TRAJECTORY, [{"kind": "answer"}]], [1.0, 0.0], eps=0.0)
    assert [(s.trajectory, s.index, s.advantage) for s in segments] == [
        (0, 0, 1.0),
        (0, 1, 1.0),
        (0, 2, 1.0),
        (1, 0, -1.0),
    ]
    with pytest.raises(ValueError, match="2 trajectories but 1 rewards"):
        broadcast_advantages([TRAJECTORY, TRAJECTORY], [1.0])
