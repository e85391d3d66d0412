"""Typed values of the embodied agent: sub-goals, thoughts, configuration, episode results."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "PATTERNS",
    "AgentConfig",
    "EpisodeResult",
    "Pattern",
    "SubGoal",
    "Thought",
    "ThoughtText",
]

Pattern = Literal[
    "situation analysis", "task planning", "spatial reasoning", "self-reflection", "double verification"
]
PATTERNS: tuple[Pattern, ...] = (
    "situation analysis",
    "task planning",
    "spatial reasoning",
    "self-reflection",
    "double verification",
)


class SubGoal(BaseModel):
    """One step of a grounded instruction.

    kinds: ``find`` (end with `obj` in view), ``hold`` (have `obj` in hand), ``put`` (`obj` in/on a `dest`),
    ``toggle`` (switch `obj`). `hint` names a receptacle type the instruction says `obj` is in
    ("take the egg out of the fridge").
    """

    kind: Literal["find", "hold", "put", "toggle"] = Field(description="What to achieve.")
    obj: str = Field(description="Object type the sub-goal is about, e.g. 'Apple'.")
    dest: str | None = Field(default=None, description="Receptacle type for 'put', e.g. 'Fridge'.")
    hint: str | None = Field(default=None, description="Receptacle type the instruction says obj is in.")

    def describe(self) -> str:
        """Short text: 'put Apple in Fridge'."""
        if self.kind == "put":
            return f"put {self.obj} in/on {self.dest}"
        return f"{self.kind} {self.obj}"


class ThoughtText(BaseModel):
    """A short first-person sentence about the next step."""

    text: str = Field(
        max_length=28, description="Short first-person sentence, e.g. 'I will look in the fridge.'"
    )


class Thought(BaseModel):
    """A step's thought, tagged with one of the paper's five thinking patterns."""

    pattern: Pattern = Field(description="Which thinking pattern this thought is.")
    text: str = Field(description="The thought.")
    by_llm: bool = Field(
        default=False, description="Written by the LLM (else composed from the typed state)."
    )


@dataclass(frozen=True)
class AgentConfig:
    """Settings of the embodied agent.

    `llm_patterns`: which thinking patterns the LLM writes (others are composed from the typed state, so
    LLM calls per episode stay few); `max_tokens`: the most tokens one thought may take; `retries`: how
    often a failed action is retried before the planner blacklists it; `close_after_take`: close a
    container after taking something out of it, `close_after_put`: close one after putting something in
    it before walking on to a further sub-goal (both what the paper's reference trajectories do).
    """

    llm_patterns: tuple[Pattern, ...] = ("task planning",)
    max_tokens: int = 40
    retries: int = 1
    close_after_take: bool = True
    close_after_put: bool = True


class EpisodeResult(BaseModel):
    """One evaluated episode: task, system, metrics, cost and the trajectory."""

    uid: str = Field(description="Task id.")
    system: str = Field(description="'agent' or 'react'.")
    family: str = Field(description="search / manipulate / transport / composite.")
    tasktype: str = Field(description="The task type.")
    instruction: str = Field(description="The instruction.")
    success: int = Field(description="1 if every key action was achieved.")
    efficiency: float = Field(description="(len(key actions)+1)/len(trajectory) on success, else 0.")
    completeness: float = Field(description="reward / total reward.")
    repeat_rate: float = Field(description="Share of navigations that revisit an object.")
    steps: int = Field(description="Actions taken.")
    seconds: float = Field(description="Wall-clock seconds for the episode.")
    llm_calls: int = Field(default=0, description="LLM requests made.")
    error: str | None = Field(default=None, description="Exception text if the episode crashed.")
    trajectory: list[dict[str, object]] = Field(default_factory=list, description="Steps with thoughts.")
