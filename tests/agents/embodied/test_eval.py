"""The embodied eval's wall-time figures: the time episodes ran, not the span of the run."""

from __future__ import annotations

from goalgraph.agents.embodied._eval import _wall


def _episode(system: str, started: float, ended: float) -> dict[str, object]:
    return {"system": system, "started": started, "ended": ended}


def test_overlapping_episodes_count_once() -> None:
    # Four in flight: 0-10, 2-8, 5-12 overlap into 0-12.
    episodes = [_episode("agent", 0, 10), _episode("agent", 2, 8), _episode("agent", 5, 12)]
    assert _wall(episodes) == {"agent": 12.0, "total": 12.0}


def test_a_resumed_run_does_not_count_its_pause() -> None:
    # The agent ran 0-100; ReAct 100-130, the run was stopped, and --resume finished it 1000-1040.
    episodes = [
        _episode("agent", 0, 60),
        _episode("agent", 50, 100),
        _episode("react", 100, 130),
        _episode("react", 1000, 1040),
    ]
    wall = _wall(episodes)
    assert wall == {"agent": 100.0, "react": 70.0, "total": 170.0}
    assert max(wall["agent"], wall["react"]) <= wall["total"] <= wall["agent"] + wall["react"]


def test_episodes_without_times_are_left_out() -> None:
    assert _wall([{"system": "agent"}, _episode("agent", 1, 3)]) == {"agent": 2.0, "total": 2.0}
    assert _wall([]) == {}
