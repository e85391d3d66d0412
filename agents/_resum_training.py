"""ReSum-GRPO support: segment trajectories at summaries and broadcast one group-normalized advantage."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, Field

__all__ = ["Segment", "broadcast_advantages", "group_advantages", "split_segments"]


class Segment(BaseModel):
    """One training episode cut from a trajectory: it starts from the question (or question + summary)."""

    trajectory: int = Field(description="Index of the trajectory in its group.")
    index: int = Field(description="Position of the segment in its trajectory, 0 first.")
    start_summary: str | None = Field(description="Summary the segment resumes from (None for the first).")
    events: list[dict[str, Any]] = Field(
        description="The events of the segment, ending with its summary call if any."
    )
    advantage: float = Field(
        default=0.0, description="The trajectory's advantage, shared by all its segments."
    )


def split_segments(trajectory: Sequence[Mapping[str, Any]], trajectory_index: int = 0) -> list[Segment]:
    """Cut a trajectory at each ``summary`` event: K summaries give K + 1 segments.

    A summary event closes its segment (the summarizer call is that segment's last output) and the
    next segment resumes from that summary.
    """
    segments: list[Segment] = []
    current: list[dict[str, Any]] = []
    start: str | None = None
    for event in trajectory:
        current.append(dict(event))
        if event.get("kind") == "summary":
            segments.append(
                Segment(trajectory=trajectory_index, index=len(segments), start_summary=start, events=current)
            )
            start, current = str(event.get("summary", "")), []
    segments.append(
        Segment(trajectory=trajectory_index, index=len(segments), start_summary=start, events=current)
    )
    return segments


def group_advantages(rewards: Sequence[float], eps: float = 1e-6) -> list[float]:
    """GRPO advantages: (reward − group mean) / (group standard deviation + eps); zeros for a uniform group."""
    if not rewards:
        return []
    mean = sum(rewards) / len(rewards)
    std = math.sqrt(sum((r - mean) ** 2 for r in rewards) / len(rewards))
    return [(r - mean) / (std + eps) for r in rewards]


def broadcast_advantages(
    trajectories: Sequence[Sequence[Mapping[str, Any]]], rewards: Sequence[float], eps: float = 1e-6
) -> list[Segment]:
    """Segments of a group of trajectories (one question's rollouts), each carrying its trajectory's advantage."""
    if len(trajectories) != len(rewards):
        raise ValueError(f"{len(trajectories)} trajectories but {len(rewards)} rewards")
    advantages = group_advantages(rewards, eps)
    segments: list[Segment] = []
    for i, (trajectory, advantage) in enumerate(zip(trajectories, advantages, strict=True)):
        for segment in split_segments(trajectory, i):
            segments.append(segment.model_copy(update={"advantage": advantage}))
    return segments
