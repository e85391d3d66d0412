"""The LLM writes the agent's thoughts: one typed, grammar-constrained output per thinking pattern.

    writer = ThoughtWriter(goalgraph.llm.model("local"), AgentConfig())
    thought, calls = await writer.write("task planning", situation, "Sub-goals: 1. put Apple in/on Fridge.")
    thought.pattern, thought.text, thought.by_llm       # 'task planning', 'I will put the apple in the fridge.', True

Each pattern has its own output type whose ``pattern`` field is a one-value literal (so the tag is part
of the typed output, and the grammar writes it for free) and whose ``text`` is one bounded first-person
sentence with the pattern's opening ("I will", "I check that"), so a 135M model always finishes a valid
thought and writes it rather than echoing the prompt. The LLM is told the typed facts (sub-goals, what is in view, the
planner's next command, the simulator's feedback) and turns them into the thought; control flow stays
with the planner. Without a model, or on a model error, the facts themselves are the thought.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model
from pydantic_ai import Agent
from pydantic_ai.models import Model

from goalgraph.envs.household import Observation
from goalgraph.llm import literal_of

from ._types import PATTERNS, AgentConfig, Pattern, SubGoal, Thought

__all__ = ["GroundedGoal", "Situation", "ThoughtWriter"]

_INSTRUCTIONS = "You are a household robot. Answer in one short first-person sentence."
# Per pattern: the question the LLM answers, and the words its thought must start with (a 135M model
# otherwise tends to echo the prompt; a first-person opening makes it write the thought itself).
_ASK: dict[Pattern, tuple[str, str]] = {
    "situation analysis": ("What do you see, and what does it mean for the task?", "I see"),
    "task planning": ("What will you do first?", "I will"),
    "spatial reasoning": ("Where will you look, and why?", "I will look"),
    "self-reflection": ("What went wrong, and what will you do now?", "I will"),
    "double verification": ("Is the task done? Check it.", "I check that"),
}


@dataclass(frozen=True)
class Situation:
    """What a thought is about: the instruction, the robot's view, and the typed facts of this step."""

    instruction: str
    location: str | None = None
    holding: str | None = None
    visible: tuple[str, ...] = ()
    goals: tuple[str, ...] = ()

    @classmethod
    def of(cls, obs: Observation, goals: list[SubGoal]) -> Situation:
        """The situation of an observation under a list of sub-goals."""
        return cls(
            instruction=obs.instruction,
            location=obs.location,
            holding=obs.holding,
            visible=tuple(o.label() for o in obs.visible if o.handle != obs.location)[:8],
            goals=tuple(g.describe() for g in goals),
        )

    def prompt(self, pattern: Pattern, facts: str) -> str:
        """The user prompt for a thought of `pattern` about `facts`."""
        where = f"at {self.location}" if self.location else "at the edge of the room"
        seen = ", ".join(self.visible) if self.visible else "nothing close by"
        lines = [
            f"Task: {self.instruction}",
            f"I am {where}, holding {self.holding or 'nothing'}. I see: {seen}.",
        ]
        lines += [f"Facts: {facts}", _ASK[pattern][0]]
        return "\n".join(lines)


class GroundedGoal(BaseModel):
    """A sub-goal the LLM reads from an instruction the rules could not parse."""

    kind: Literal["find", "hold", "put", "toggle"] = Field(description="What the task asks for.")
    obj: str = Field(description="The object type it is about.")
    dest: str | None = Field(default=None, description="Where to put it (only for 'put').")


def _thought_type(pattern: Pattern, chars: int) -> type[BaseModel]:
    name = "".join(w.capitalize() for w in pattern.replace("-", " ").split())
    opening = _ASK[pattern][1]
    # One sentence: the opening, a bounded run of plain characters, a full stop (so it always ends).
    sentence = rf"^{opening} [^.\"\\\n]{{2,{max(chars - len(opening) - 2, 8)}}}\.$"
    model: type[BaseModel] = create_model(
        f"{name}Thought",
        __doc__=f"A {pattern} thought.",
        pattern=(literal_of([pattern]), Field(description="The thinking pattern.")),
        text=(str, Field(pattern=sentence, description="One short first-person sentence.")),
    )
    return model


class ThoughtWriter:
    """Writes thoughts with the LLM for the configured patterns, and from the facts otherwise."""

    def __init__(self, model: Model | None, config: AgentConfig) -> None:
        self.config = config
        self.model = model
        self._agents: dict[Pattern, Agent[None, Any]] = {}
        if model is not None:
            for p in PATTERNS:
                # No output retries: the grammar already makes every reply valid; a model error falls back.
                self._agents[p] = Agent(
                    model,
                    output_type=_thought_type(p, config.thought_chars),
                    instructions=_INSTRUCTIONS,
                    retries=0,
                    name=f"embodied.{p.replace(' ', '_')}",
                )

    def uses_llm(self, pattern: Pattern) -> bool:
        """Whether thoughts of `pattern` go to the LLM."""
        return self.model is not None and pattern in self.config.llm_patterns

    async def write(self, pattern: Pattern, situation: Situation, facts: str) -> tuple[Thought, int]:
        """A thought of `pattern` and the number of LLM requests it took (0 or 1)."""
        if not self.uses_llm(pattern):
            return Thought(pattern=pattern, text=facts, facts=facts), 0
        try:
            result = await self._agents[pattern].run(
                situation.prompt(pattern, facts), model_settings={"max_tokens": self.config.max_tokens}
            )
        except Exception:  # the model server failed or ran out of tokens: the facts stand in
            return Thought(pattern=pattern, text=facts, facts=facts), 1
        # A sentence cut at the length bound ends in "the ." or ", ."; keep the words, tidy the stop.
        text = re.sub(r"[\s,;:]+\.$", ".", " ".join(str(result.output.text).split()))
        return Thought(pattern=pattern, text=text, facts=facts, by_llm=True), 1

    async def ground(self, instruction: str, vocabulary: list[str]) -> tuple[list[SubGoal], int]:
        """Ask the LLM for one typed sub-goal over the scene's types (used when the rules found none)."""
        if self.model is None or not self.config.llm_grounding or not vocabulary:
            return [], 0
        types = literal_of(sorted(set(vocabulary)))
        output = create_model(
            "GroundedGoal",
            __base__=GroundedGoal,
            obj=(types, Field(description="The object type it is about.")),
            dest=(types | None, Field(default=None, description="Where to put it (only for 'put').")),
        )
        agent: Agent[None, Any] = Agent(
            self.model,
            output_type=output,
            instructions="Read the household task and name what it asks for, using the given object types.",
            retries=0,
            name="embodied.ground",
        )
        try:
            result = await agent.run(
                f"Task: {instruction}", model_settings={"max_tokens": self.config.max_tokens}
            )
        except Exception:  # no parse from the model: the agent has no sub-goal and says so
            return [], 1
        g = result.output
        if g.kind == "put" and not g.dest:
            return [SubGoal(kind="hold", obj=str(g.obj))], 1
        return [SubGoal(kind=g.kind, obj=str(g.obj), dest=str(g.dest) if g.kind == "put" else None)], 1
