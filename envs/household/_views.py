"""What the agent sees: typed observations and step results (no hidden simulator state)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

__all__ = ["ACTIONS", "ObjectView", "Observation", "SimConfig", "StepResult"]

# The action space of Embodied-Reasoner (prompt.py's Available_Actions), canonical names.
ACTIONS: tuple[str, ...] = (
    "navigate to",
    "pickup",
    "put",
    "toggle",
    "open",
    "close",
    "observe",
    "move forward",
    "end",
)


@dataclass(frozen=True)
class SimConfig:
    """Simulator settings.

    `near` is how close (metres, on the floor plane) a fixture must be to where the agent stands to be in
    view (a faucet beside the sink basin, the knobs beside a burner). `paper_type_resolution` makes a bare
    type that names several objects resolve as the paper's engine does (the task's target object of that
    type, else the first in scene order) when none of them is in view. `flaky_pickups` plants faults: an
    object (handle, id or type) → how many pickup attempts on it fail before one succeeds.
    """

    near: float = 0.8
    paper_type_resolution: bool = True
    flaky_pickups: Mapping[str, int] = field(default_factory=dict)


class ObjectView(BaseModel):
    """An object as the agent perceives it: name, type, visible affordances and state."""

    handle: str = Field(description="Unique name to use in commands, e.g. 'Cabinet_3' or 'Fridge'.")
    type: str = Field(description="AI2-THOR object type.")
    receptacle: bool = Field(default=False, description="Things can be put in or on it.")
    openable: bool = Field(default=False, description="It can be opened.")
    is_open: bool = Field(default=False, description="It is open now.")
    toggleable: bool = Field(default=False, description="It can be switched on or off.")
    is_toggled: bool = Field(default=False, description="It is on now.")
    pickupable: bool = Field(default=False, description="It can be picked up.")
    on: str | None = Field(default=None, description="Handle of the receptacle it is in or on, if known.")

    def label(self) -> str:
        """Handle plus state words, e.g. 'Fridge (closed)'."""
        bits = []
        if self.openable:
            bits.append("open" if self.is_open else "closed")
        if self.toggleable:
            bits.append("on" if self.is_toggled else "off")
        return f"{self.handle} ({', '.join(bits)})" if bits else self.handle


class Observation(BaseModel):
    """The agent's view after a step: where it is, what it holds and sees, and the last action's result."""

    instruction: str = Field(default="", description="The task instruction.")
    location: str | None = Field(default=None, description="Handle of the object the agent stands at.")
    holding: str | None = Field(default=None, description="Handle of the object in hand.")
    visible: list[ObjectView] = Field(default_factory=list, description="Objects in view at the location.")
    known: list[ObjectView] = Field(
        default_factory=list, description="Objects seen so far that one can walk to."
    )
    last_action: str = Field(default="init", description="The command just executed.")
    success: bool = Field(default=True, description="Whether it succeeded.")
    feedback: str = Field(default="", description="The simulator's message about it.")
    steps_left: int = Field(default=0, description="Actions left before the step limit ends the episode.")

    def find(self, handle: str) -> ObjectView | None:
        """The visible or known object with this handle."""
        for o in (*self.visible, *self.known):
            if o.handle == handle:
                return o
        return None

    @property
    def text(self) -> str:
        """The observation as the text an LLM agent reads."""
        lines = [self.feedback] if self.feedback else []
        if self.location is None:
            lines.append("You stand at the edge of the room.")
        else:
            here = next((o for o in self.visible if o.handle == self.location), None)
            lines.append(f"You are at {here.label() if here else self.location}.")
            inside = [o.label() for o in self.visible if o.on == self.location]
            if inside:
                lines.append(f"In/on {self.location}: {', '.join(inside)}.")
            rest = [o.label() for o in self.visible if o.handle != self.location and o.on != self.location]
            if rest:
                lines.append(f"Also in view: {', '.join(rest)}.")
        lines.append(f"You hold {self.holding or 'nothing'}.")
        if self.known:
            lines.append(f"Places you can navigate to: {', '.join(o.label() for o in self.known)}.")
        return "\n".join(lines)


class StepResult(BaseModel):
    """The result of one command."""

    command: str = Field(description="The command as issued.")
    action: str = Field(description="Canonical action name, or 'error' when it was not understood.")
    object: str | None = Field(default=None, description="Type of the object acted on.")
    object_id: str | None = Field(default=None, description="Id of the object acted on.")
    handle: str | None = Field(default=None, description="Handle of the object acted on.")
    success: bool = Field(description="Whether the simulator accepted the action.")
    feedback: str = Field(default="", description="The message returned ('… is illegal …' on failure).")
    observation: Observation = Field(description="What the agent sees afterwards.")
    done: bool = Field(default=False, description="The episode ended (end, or the step limit).")
