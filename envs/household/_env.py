"""The household simulator: AI2-THOR's interaction rules over scene metadata, with text observations."""

from __future__ import annotations

import math
import re
from typing import Any

from ._metrics import TrajectoryStep
from ._scene import Scene, SceneObject
from ._tasks import Task
from ._views import ObjectView, Observation, SimConfig, StepResult

__all__ = ["HouseholdEnv", "parse_command"]

_VERBS = ("navigate to", "put in", "pickup", "put", "toggle", "open", "close")
_BARE = ("observe", "move forward", "end")
_AVAILABLE = (
    '"navigate to <object>", "pickup <object>", "put <object>", "toggle <object>", "open <object>", '
    '"close <object>", "observe", "move forward", "end"'
)


def parse_command(command: str) -> tuple[str, str | None] | None:
    """Split a command into (canonical action, object name); `None` if it is not an available action.

    ``put in X`` is read as ``put X`` (the paper's API mode); ``pick up`` as ``pickup``.
    """
    norm = re.sub(r"(?i)^pick up\b", "pickup", re.sub(r"\s+", " ", command.strip().strip(".").strip()))
    text = norm.lower()
    for bare in _BARE:
        if text == bare:
            return bare, None
    for verb in _VERBS:
        if text.startswith(verb + " "):
            arg = norm[len(verb) + 1 :].strip()
            return ("put" if verb == "put in" else verb), arg or None
    return None


class HouseholdEnv:
    """A text simulator of one AI2-THOR scene with Embodied-Reasoner's action space.

        env = HouseholdEnv(scene); obs = env.reset(task)
        result = env.step("navigate to Fridge"); env.step("open Fridge"); env.step("end")
        score(task, env.trajectory)

    Rules (AI2-THOR's): the agent acts only on objects in view where it stands; it holds one object; it
    cannot take from or put into a closed receptacle, nor see inside one until it opens it; it can only
    navigate to objects it has seen (furniture and fixtures are in sight from the start). Every command,
    legal or not, uses a step; the episode ends on ``end`` or when the task's step limit is reached.
    """

    def __init__(self, scene: Scene, config: SimConfig | None = None) -> None:
        self.scene = scene
        self.config = config or SimConfig()
        self._handles = scene.handles()
        self._by_handle = {h.lower(): oid for oid, h in self._handles.items()}
        self._task: Task | None = None
        self.reset()

    # ------------------------------------------------------------------ lifecycle
    def reset(
        self, task: Task | None = None, *, instruction: str | None = None, max_steps: int | None = None
    ) -> Observation:
        """Restore the scene's initial state and start an episode; returns the first observation."""
        self._task = task
        self.instruction = instruction or (task.taskquery if task else "")
        self.max_steps = max_steps or (task.max_steps if task else 36)
        self.objects: dict[str, SceneObject] = {
            o.objectId: o.model_copy(deep=True) for o in self.scene.objects
        }
        self.parent: dict[str, str] = self.scene.parents()
        self.location: str | None = None
        self.holding: str | None = None
        self.step_count = 1  # the paper's loop counts `init` as the first step
        self.done = False
        self._faults = {self._fault_key(k): v for k, v in self.config.flaky_pickups.items()}
        self.discovered: set[str] = {
            oid
            for oid, o in self.objects.items()
            if not o.structural and not self.hidden(oid) and (not o.pickupable or self._on_structure(oid))
        }
        self.trajectory: list[TrajectoryStep] = []
        obs = self.observe_state("init", True, "")
        self.trajectory.append(
            TrajectoryStep(action="init", legal_objects=self.legal_types(), command="init")
        )
        return obs

    def _fault_key(self, name: str) -> str:
        oid = self.resolve(name, navigating=False)
        return oid or name

    @property
    def steps_left(self) -> int:
        """Commands the agent may still issue."""
        return max(self.max_steps - self.step_count, 0)

    # ------------------------------------------------------------------ world queries
    def handle(self, oid: str) -> str:
        """The handle of an object id."""
        return self._handles[oid]

    def children(self, rid: str) -> list[str]:
        """Objects directly in or on `rid`, in id order."""
        return sorted(c for c, p in self.parent.items() if p == rid and not self.objects[c].isPickedUp)

    def hidden(self, oid: str) -> bool:
        """Inside a closed receptacle (at any depth), so nobody can see or reach it."""
        seen: set[str] = set()
        cur = self.parent.get(oid)
        while cur is not None and cur not in seen:
            seen.add(cur)
            o = self.objects[cur]
            if o.openable and not o.isOpen:
                return True
            cur = self.parent.get(cur)
        return False

    def _on_structure(self, oid: str) -> bool:
        p = self.parent.get(oid)
        return p is not None and self.objects[p].structural

    def contents(self, rid: str) -> list[str]:
        """Everything reachable in or on `rid` (none while it is closed), at any depth."""
        o = self.objects[rid]
        if o.openable and not o.isOpen:
            return []
        out: list[str] = []
        for c in self.children(rid):
            out.append(c)
            out.extend(self.contents(c))
        return out

    def anchor(self, oid: str) -> str:
        """Where one stands to reach `oid`: the furniture under it (an apple → its counter)."""
        cur, seen = oid, set()
        while self.objects[cur].pickupable and cur not in seen:
            seen.add(cur)
            p = self.parent.get(cur)
            if p is None or self.objects[p].structural:
                break
            cur = p
        return cur

    def visible_ids(self) -> list[str]:
        """Objects in view where the agent stands (empty at the start, before it has walked anywhere)."""
        if self.location is None:
            return []
        a = self.anchor(self.location)
        ids = {a, self.location, *self.contents(a)}
        pa = self.objects[a].position
        for oid, o in self.objects.items():
            if o.pickupable or o.structural or oid in ids or self.hidden(oid):
                continue
            if math.hypot(o.position.x - pa.x, o.position.z - pa.z) <= self.config.near:
                ids.add(oid)
                ids.update(self.contents(oid))
        return sorted(
            i for i in ids if i != self.holding and not self.hidden(i) and not self.objects[i].structural
        )

    def legal_types(self) -> list[str]:
        """Types of the objects in view (the paper's ``legal_objects``)."""
        return sorted({self.objects[i].objectType for i in self.visible_ids()})

    def view(self, oid: str) -> ObjectView:
        """How the agent perceives one object."""
        o = self.objects[oid]
        p = self.parent.get(oid)
        return ObjectView(
            handle=self._handles[oid],
            type=o.objectType,
            receptacle=o.receptacle,
            openable=o.openable,
            is_open=o.isOpen,
            toggleable=o.toggleable,
            is_toggled=o.isToggled,
            pickupable=o.pickupable,
            on=self._handles[p] if p and not self.objects[p].structural else None,
        )

    def navigable(self, oid: str) -> bool:
        """Whether `navigate to` may take the agent to `oid` now."""
        o = self.objects[oid]
        return (
            not o.structural
            and oid != self.holding
            and not self.hidden(oid)
            and (oid in self.discovered or not o.pickupable)
        )

    def observe_state(self, command: str, success: bool, feedback: str) -> Observation:
        """The typed observation of the current state."""
        known = [self.view(i) for i in sorted(self.discovered, key=self.handle) if self.navigable(i)]
        return Observation(
            instruction=self.instruction,
            location=self._handles.get(self.location or ""),
            holding=self._handles[self.holding] if self.holding else None,
            visible=[self.view(i) for i in self.visible_ids()],
            known=known,
            last_action=command,
            success=success,
            feedback=feedback,
            steps_left=self.steps_left,
        )

    # ------------------------------------------------------------------ names
    def resolve(self, name: str, *, navigating: bool) -> str | None:
        """The object id a name refers to: a handle, an objectId, or a type (see `SimConfig`)."""
        key = name.strip().lower()
        if key in self._by_handle:
            return self._by_handle[key]
        if name in self.objects:
            return name
        same = [oid for oid, o in self.objects.items() if o.objectType.lower() == key]
        if not same and key.endswith("s"):
            same = [oid for oid, o in self.objects.items() if o.objectType.lower() == key[:-1]]
        if len(same) <= 1:
            return same[0] if same else None
        in_view = set(self.visible_ids())
        preferred = [oid for oid in same if oid in in_view]
        targets = (self._task.target_objects + self._task.related_objects) if self._task else []
        if not navigating and preferred:
            # The object one stands at first, then the one the paper's engine would pick, then any in view.
            here = [oid for oid in preferred if oid in (self.location, self.anchor(self.location or oid))]
            paper = [oid for oid in preferred if oid in targets and self.config.paper_type_resolution]
            return (here or paper or preferred)[0]
        if self.config.paper_type_resolution:
            for target in targets:
                if target in same:
                    return target
        reachable = [oid for oid in same if self.navigable(oid)] if navigating else same
        return (reachable or same)[0]

    # ------------------------------------------------------------------ acting
    def step(self, command: str, *, thought: str = "", pattern: str = "") -> StepResult:
        """Execute one command; illegal ones change nothing and say why ("… is illegal …")."""
        if self.done:
            raise RuntimeError("the episode has ended; call reset() first")
        parsed = parse_command(command)
        if parsed is None:
            action, oid, ok = "error", None, False
            msg = f'Action "{command}" is illegal: it is not one of the available actions ({_AVAILABLE}).'
        elif parsed[0] == "end":
            return self.finish(command, thought=thought, pattern=pattern)
        else:
            action = parsed[0]
            oid, ok, msg = self._execute(action, parsed[1])
        self.step_count += 1
        item = self.objects[oid].objectType if oid else None
        self.trajectory.append(
            TrajectoryStep(
                action=action,
                object=item,
                object_id=oid,
                success=ok,
                legal_objects=self.legal_types(),
                feedback=msg,
                command=command,
                thought=thought,
                pattern=pattern,
            )
        )
        if ok:
            self.discovered.update(self.visible_ids())
        obs = self.observe_state(command, ok, msg)
        if self.step_count >= self.max_steps:
            # The paper's loop stops at the limit and records an `end` the agent did not choose.
            self._append_end("(step limit)", "", "")
            obs = self.observe_state(command, ok, msg + " The step limit is reached; the episode ends.")
        return StepResult(
            command=command,
            action=action,
            object=item,
            object_id=oid,
            handle=self._handles.get(oid or ""),
            success=ok,
            feedback=msg,
            observation=obs,
            done=self.done,
        )

    def finish(self, command: str = "end", *, thought: str = "", pattern: str = "") -> StepResult:
        """End the episode (the agent's `end`)."""
        self._append_end(command, thought, pattern)
        obs = self.observe_state(command, True, "The episode has ended.")
        return StepResult(
            command=command, action="end", success=True, feedback=obs.feedback, observation=obs, done=True
        )

    def _append_end(self, command: str, thought: str, pattern: str) -> None:
        self.done = True
        self.trajectory.append(
            TrajectoryStep(
                action="end",
                legal_objects=self.legal_types(),
                command=command,
                thought=thought,
                pattern=pattern,
            )
        )

    def _execute(self, action: str, name: str | None) -> tuple[str | None, bool, str]:
        if action == "observe":
            return None, True, "You look around."
        if action == "move forward":
            return None, True, "You step forward and look more closely."
        assert name is not None
        oid = self.resolve(name, navigating=action == "navigate to")
        if oid is None:
            return (
                None,
                False,
                f'Action "{action} {name}" is illegal: there is no object called "{name}" here.',
            )
        handle = self._handles[oid]
        cmd = f"{action} {handle}"
        if action == "navigate to":
            if not self.navigable(oid):
                why = (
                    "you hold it"
                    if oid == self.holding
                    else "you have not seen it yet (it may be inside something closed)"
                )
                return oid, False, f'Action "{cmd}" is illegal: {handle} is not currently navigable, {why}.'
            self.location = oid
            return oid, True, f"You walk to {handle}."
        if oid not in self.visible_ids():
            return (
                oid,
                False,
                (
                    f'Action "{cmd}" is illegal: {handle} is not in view here. Try "navigate to <object>" to get close '
                    "to it, or to the larger object it is in or on."
                ),
            )
        return oid, *self._interact(action, oid, handle, cmd)

    def _interact(self, action: str, oid: str, handle: str, cmd: str) -> tuple[bool, str]:
        o = self.objects[oid]
        illegal = f'Action "{cmd}" is illegal: '
        if action == "pickup":
            if not o.pickupable:
                return False, illegal + f"{handle} cannot be picked up."
            if self.holding is not None:
                return False, illegal + f"your hand is full (you hold {self._handles[self.holding]})."
            if self._faults.get(oid, 0) > 0:
                self._faults[oid] -= 1
                return False, f'Action "{cmd}" failed: {handle} slipped out of the gripper.'
            self.holding, o.isPickedUp = oid, True
            self.parent.pop(oid, None)
            return True, f"You pick up {handle}."
        if action == "put":
            if self.holding is None:
                return False, illegal + "you are not holding anything."
            held = self._handles[self.holding]
            if not o.receptacle:
                return False, illegal + f"{handle} is not a receptacle."
            if o.openable and not o.isOpen:
                return False, illegal + f"{handle} is closed; open it first."
            if self._inside(oid, self.holding):
                return False, illegal + f"{handle} is inside {held}."
            self.parent[self.holding] = oid
            self.objects[self.holding].isPickedUp = False
            self.holding = None
            return True, f"You put {held} in/on {handle}."
        if action == "toggle":
            if not o.toggleable:
                return False, illegal + f"{handle} cannot be switched on or off."
            o.isToggled = not o.isToggled
            return True, f"You switch {handle} {'on' if o.isToggled else 'off'}."
        if not o.openable:
            return False, illegal + f"{handle} cannot be opened or closed."
        want_open = action == "open"
        if o.isOpen == want_open:
            return False, illegal + f"{handle} is already {'open' if want_open else 'closed'}."
        o.isOpen = want_open
        if want_open:
            inside = [self._handles[c] for c in self.children(oid)]
            return True, f"You open {handle}; inside: {', '.join(inside) if inside else 'nothing'}."
        return True, f"You close {handle}."

    def _inside(self, oid: str, container: str) -> bool:
        cur: str | None = oid
        while cur is not None:
            if cur == container:
                return True
            cur = self.parent.get(cur)
        return False

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able summary of the hidden state (for tests and debugging, never for agents)."""
        return {
            "location": self.location,
            "holding": self.holding,
            "open": sorted(i for i, o in self.objects.items() if o.isOpen),
            "on": sorted(i for i, o in self.objects.items() if o.isToggled),
            "parent": dict(self.parent),
        }
