"""Sub-goals → GOAP problems over the agent's typed beliefs; the planner's actions *are* commands.

Conditions: ``at:H`` (standing at furniture H), ``vis:H`` (H in view from here), ``hand_empty``,
``holding:H``, ``open:H``, ``in:TYPE:DEST`` (an object of TYPE in/on an object of type DEST),
``toggled:TYPE``, ``looked:H`` (H searched). Each action is named by the exact command it runs
("navigate to Cabinet_2", "open Cabinet_2"); variants that act on something in view from here carry an
``@here`` suffix that is dropped before the command is sent.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from goalgraph.envs.household import ObjectView, Observation
from goalgraph.planners import Action, Goal, NoPlan, Plan, SearchBudget, WorldState, plan

from ._memory import ExplorationMemory

__all__ = ["Beliefs", "command_of", "plan_inspect", "plan_subgoal"]

_BUDGET = SearchBudget(max_nodes=20_000, max_seconds=1.0)


def command_of(action_name: str) -> str:
    """The command an action stands for."""
    return action_name.removesuffix("@here")


def type_of(handle: str) -> str:
    """The type in a handle ('Cabinet_3' → 'Cabinet')."""
    return re.sub(r"_\d+$", "", handle)


@dataclass
class Beliefs:
    """What the agent believes about the room now: the observation plus remembered sightings."""

    obs: Observation
    memory: ExplorationMemory
    views: dict[str, ObjectView] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.views = {o.handle: o for o in (*self.obs.known, *self.obs.visible)}
        self.visible = {o.handle for o in self.obs.visible}

    def on(self, h: str) -> str | None:
        """Where `h` rests, from the view or, when out of sight, from memory."""
        v = self.views.get(h)
        if v is not None and (v.on is not None or not v.pickupable):
            return v.on
        item = self.memory.store.get(self.memory.ns_seen, h)
        return item.value.get("on") if item is not None else None

    def pickupable(self, h: str) -> bool:
        """Whether `h` is a small object (from its view or a sighting)."""
        v = self.views.get(h)
        if v is not None:
            return v.pickupable
        item = self.memory.store.get(self.memory.ns_seen, h)
        return bool(item and item.value.get("pickupable"))

    def anchor(self, h: str) -> str:
        """The furniture one stands at to reach `h`."""
        cur, hops = h, 0
        while self.pickupable(cur) and hops < 5:
            nxt = self.on(cur)
            if nxt is None:
                break
            cur, hops = nxt, hops + 1
        return cur

    def container(self, h: str) -> str | None:
        """The openable thing `h` is inside (at any depth), if any."""
        cur, hops = self.on(h), 0
        while cur is not None and hops < 5:
            v = self.views.get(cur)
            if v is not None and v.openable:
                return cur
            cur, hops = self.on(cur), hops + 1
        return None

    def is_open(self, h: str) -> bool:
        """Whether openable `h` is open (as last seen)."""
        v = self.views.get(h)
        return bool(v and v.is_open)

    def instances(self, obj_type: str) -> list[str]:
        """Handles of every object of this type that is in view, known, or remembered, in view first."""
        seen = [h for h, v in self.views.items() if v.type == obj_type]
        seen += [s["handle"] for s in self.memory.where(obj_type) if s["handle"] not in seen]
        return sorted(dict.fromkeys(seen), key=lambda h: (h not in self.visible, h))

    def here(self) -> str | None:
        """Where the agent stands (the furniture)."""
        return self.anchor(self.obs.location) if self.obs.location else None

    def state(self, relevant: Iterable[str]) -> WorldState:
        """Conditions that hold now, over the relevant handles."""
        values: dict[str, bool] = {"hand_empty": self.obs.holding is None}
        here = self.here()
        for h in relevant:
            values[f"at:{h}"] = h == here
            values[f"vis:{h}"] = h in self.visible
            values[f"open:{h}"] = self.is_open(h)
        if self.obs.holding:
            values[f"holding:{self.obs.holding}"] = True
        return WorldState(values)


class _Builder:
    """Collects actions for one planning problem (unique names, the nav effects shared)."""

    def __init__(self, b: Beliefs) -> None:
        self.b = b
        self.actions: dict[str, Action] = {}
        self.places: set[str] = set()
        self.relevant: set[str] = set()

    def reach(self, h: str) -> dict[str, bool] | None:
        """Preconditions to act on `h` from where it is; registers the navigation there."""
        a = self.b.anchor(h)
        self.places.add(a)
        self.relevant |= {a, h}
        return {f"at:{a}": True}

    def act(self, verb: str, h: str, pre: dict[str, bool], effects: dict[str, bool]) -> None:
        """Add `verb h` (from its anchor) and, if `h` is in view from here, the `@here` variant."""
        self.actions[f"{verb} {h}"] = Action(
            f"{verb} {h}", pre={**pre, **(self.reach(h) or {})}, effects=effects
        )
        anchor = self.b.anchor(h)
        if h in self.b.visible and anchor != self.b.here():
            self.actions[f"{verb} {h}@here"] = Action(
                f"{verb} {h}@here", pre={**pre, f"vis:{h}": True}, effects=effects
            )

    def finish(self) -> list[Action]:
        """Navigation actions to every place, then all actions."""
        vis = [h for h in self.relevant if h in self.b.visible]
        for p in sorted(self.places):
            effects = {f"at:{q}": q == p for q in self.places} | {f"vis:{v}": False for v in vis}
            self.actions[f"navigate to {p}"] = Action(f"navigate to {p}", effects=effects)
        return list(self.actions.values())

    def open_close(self, c: str) -> None:
        """Opening and closing container `c`."""
        self.act("open", c, {f"open:{c}": False}, {f"open:{c}": True})
        self.act("close", c, {f"open:{c}": True}, {f"open:{c}": False})

    def pickup(self, h: str) -> str | None:
        """Taking `h`, through its container if it has one; returns the container."""
        c = self.b.container(h)
        pre = {"hand_empty": True} | ({f"open:{c}": True} if c else {})
        self.act("pickup", h, pre, {f"holding:{h}": True, "hand_empty": False})
        if c:
            self.open_close(c)
        return c


def _solve(builder: _Builder, goal: dict[str, bool], name: str, blacklist: Iterable[str]) -> Plan | NoPlan:
    actions = builder.finish()
    state = builder.b.state(builder.relevant | builder.places)
    return plan(actions, Goal(name=name, conditions=goal), state, budget=_BUDGET, blacklist=blacklist)


def plan_subgoal(
    b: Beliefs,
    kind: str,
    obj: str | None,
    dest: str | None,
    *,
    target_type: str,
    close_after: bool,
    close: str | None = None,
    blacklist: Iterable[str] = (),
) -> Plan | NoPlan | None:
    """Plan a grounded sub-goal; `None` when something it needs has not been found yet.

    kind ``hold``: `obj` (a handle) in hand, the container it came from closed again if `close_after`
    (`close` names it once the object is already in hand); ``put``: `obj` in/on any instance of type
    `dest`; ``toggle``: any instance of `target_type` switched; ``goto``: stand where `obj` is.
    """
    bl = _Builder(b)
    if kind == "goto" and obj:
        bl.reach(obj)
        return _solve(bl, {f"at:{b.anchor(obj)}": True}, f"see {obj}", blacklist)
    if kind == "toggle":
        cands = [h for h in b.instances(target_type) if b.views.get(h) is None or b.views[h].toggleable]
        if not cands:
            return None
        for h in cands[:6]:
            bl.act("toggle", h, {}, {f"toggled:{target_type}": True})
        return _solve(bl, {f"toggled:{target_type}": True}, f"toggle {target_type}", blacklist)
    if obj is None:
        return None
    goal: dict[str, bool] = {}
    container = close
    if b.obs.holding != obj:
        container = bl.pickup(obj)
    elif close is not None:
        bl.open_close(close)
    if container and close_after:
        goal[f"open:{container}"] = False
    if kind == "hold":
        goal[f"holding:{obj}"] = True
        return _solve(bl, goal, f"hold {obj}", blacklist)
    assert dest is not None
    dests = [h for h in b.instances(dest) if h != obj and (b.views.get(h) is None or b.views[h].receptacle)]
    if not dests:
        return None
    for d in dests[:6]:
        pre = {f"holding:{obj}": True}
        e = d if b.views.get(d) is not None and b.views[d].openable else b.container(d)
        if e is not None:
            pre[f"open:{e}"] = True
            if e != container:
                bl.open_close(e)
        bl.act(
            "put", d, pre, {f"in:{type_of(obj)}:{dest}": True, f"holding:{obj}": False, "hand_empty": True}
        )
    goal[f"in:{type_of(obj)}:{dest}"] = True
    return _solve(bl, goal, f"put {obj} in {dest}", blacklist)


def plan_inspect(b: Beliefs, place: str, blacklist: Iterable[str] = ()) -> Plan | NoPlan:
    """Plan to look into `place`: open it if it is closed (from here when it is in view), else stand there."""
    bl = _Builder(b)
    v = b.views.get(place)
    if v is not None and v.openable and not v.is_open:
        bl.act("open", place, {f"open:{place}": False}, {f"open:{place}": True})
        return _solve(bl, {f"open:{place}": True}, f"look into {place}", blacklist)
    bl.reach(place)
    return _solve(bl, {f"at:{b.anchor(place)}": True}, f"look at {place}", blacklist)
