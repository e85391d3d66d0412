"""Typed values of the embodied agent: sub-goals, thoughts (tagged with a thinking pattern), configuration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, Field

__all__ = [
    "PATTERNS",
    "AgentConfig",
    "Pattern",
    "SubGoal",
    "Thought",
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


class Thought(BaseModel):
    """A step's thought, tagged with one of the paper's five thinking patterns."""

    pattern: Pattern = Field(description="Which thinking pattern this thought is.")
    text: str = Field(description="The thought as written (by the LLM, or composed from the typed state).")
    facts: str = Field(default="", description="The typed facts the thought was written from.")
    by_llm: bool = Field(
        default=False, description="Written by the LLM (else composed from the typed state)."
    )

    def render(self) -> str:
        """The text kept in the trajectory: the LLM's sentence with the facts it was given."""
        if self.by_llm and self.facts and self.facts != self.text:
            return f"{self.text} [{self.facts}]"
        return self.text


@dataclass(frozen=True)
class AgentConfig:
    """Settings of the embodied agent.

    `llm_patterns`: which thinking patterns the LLM writes (the others are composed from the typed state,
    so LLM calls per episode stay few: one plan, one check before `end`, one reflection per failure);
    `thought_chars` and `max_tokens` bound one LLM thought; `llm_grounding`: ask the LLM for a typed
    sub-goal when the rule-based grounding finds none; `retries`: how often a failed action is retried
    before the planner blacklists it; `close_after_take` / `close_after_put`: close a container after
    taking something out of it / after putting something in it before walking on to a further sub-goal
    (what the paper's reference trajectories do); `verify_rounds`: how often a failed double check
    reopens the task before the agent gives up.
    """

    llm_patterns: tuple[Pattern, ...] = ("task planning", "self-reflection", "double verification")
    thought_chars: int = 40
    max_tokens: int = 64
    llm_grounding: bool = True
    retries: int = 1
    close_after_take: bool = True
    close_after_put: bool = True
    verify_rounds: int = 2
