"""Scene metadata: AI2-THOR objects (trimmed) as typed records, with short unique handles."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError

__all__ = ["Position", "Scene", "SceneError", "SceneObject", "load_scene", "load_scenes"]

# Structural objects an agent cannot walk up to as a destination (the floor holds whole furniture sets).
_STRUCTURAL = frozenset({"Floor", "Wall", "Ceiling"})


class SceneError(ValueError):
    """A scene file or scene directory that cannot be read; the message names the file and field."""


class Position(BaseModel):
    """A point in AI2-THOR world coordinates (metres; y is up)."""

    x: float = Field(description="East–west coordinate.")
    y: float = Field(description="Height.")
    z: float = Field(description="North–south coordinate.")


class SceneObject(BaseModel):
    """One object of an AI2-THOR scene, with the affordances and states the text simulator uses."""

    objectId: str = Field(description="AI2-THOR object id, e.g. 'Cabinet|+00.68|+02.02|-02.46'.")
    objectType: str = Field(description="AI2-THOR object type, e.g. 'Cabinet'.")
    position: Position = Field(description="Object centre.")
    receptacle: bool = Field(default=False, description="Other objects can be put in or on it.")
    receptacleObjectIds: list[str] | None = Field(default=None, description="Objects directly in or on it.")
    parentReceptacles: list[str] | None = Field(default=None, description="Receptacles it is in or on.")
    openable: bool = Field(default=False, description="It can be opened and closed.")
    isOpen: bool = Field(default=False, description="It is open now.")
    toggleable: bool = Field(default=False, description="It can be switched on and off.")
    isToggled: bool = Field(default=False, description="It is switched on now.")
    pickupable: bool = Field(default=False, description="The agent can pick it up.")
    isPickedUp: bool = Field(default=False, description="The agent holds it now.")

    @property
    def structural(self) -> bool:
        """Part of the room (floor, walls) rather than something to walk to."""
        return self.objectType in _STRUCTURAL


class Scene(BaseModel):
    """A scene: its name and objects; `handles` gives each object a short unique name.

    A handle is the object type when the type is unique in the scene, else ``Type_k`` (k = 1, 2, …
    in object-id order), so an agent can tell the five cabinets apart without raw coordinates.
    """

    scene: str = Field(description="Scene name, e.g. 'FloorPlan1'.")
    objects: list[SceneObject] = Field(description="All objects of the scene.")

    def model_post_init(self, context: Any, /) -> None:
        ids = [o.objectId for o in self.objects]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise ValueError(f"duplicate objectId(s): {', '.join(dup[:3])}")

    def by_id(self) -> dict[str, SceneObject]:
        """objectId → object."""
        return {o.objectId: o for o in self.objects}

    def handles(self) -> dict[str, str]:
        """objectId → handle (type, or Type_k when the type repeats)."""
        counts = Counter(o.objectType for o in self.objects)
        seen: Counter[str] = Counter()
        out: dict[str, str] = {}
        for o in sorted(self.objects, key=lambda o: o.objectId):
            if counts[o.objectType] == 1:
                out[o.objectId] = o.objectType
            else:
                seen[o.objectType] += 1
                out[o.objectId] = f"{o.objectType}_{seen[o.objectType]}"
        return out

    def parents(self) -> dict[str, str]:
        """objectId → the receptacle it is directly in or on.

        AI2-THOR lists every receptacle whose bounds touch an object (a book on a dining table is also
        "on" the chair tucked under it, an apple in a bowl also "on" the counter), so: take the
        candidates that list it or that it lists, drop the floor, drop any candidate that holds another
        candidate (keep the innermost), and of the rest keep the one holding most objects (the table, not
        the chair). Objects resting only on the floor map to the floor.
        """
        known = self.by_id()
        listed: dict[str, list[str]] = {}
        for o in self.objects:
            for child in o.receptacleObjectIds or []:
                if child in known and child != o.objectId:
                    listed.setdefault(child, []).append(o.objectId)
        out: dict[str, str] = {}
        for o in self.objects:
            cands = list(
                dict.fromkeys(
                    [
                        *listed.get(o.objectId, []),
                        *(p for p in o.parentReceptacles or [] if p in known and p != o.objectId),
                    ]
                )
            )
            if not cands:
                continue
            solid = [c for c in cands if not known[c].structural]
            if not solid:
                out[o.objectId] = cands[0]
                continue
            inner = [
                c
                for c in solid
                if not any(c != d and d in (known[c].receptacleObjectIds or []) for d in solid)
            ]
            pool = inner or solid
            out[o.objectId] = max(
                pool, key=lambda c: (len(known[c].receptacleObjectIds or []), pool.index(c))
            )
        return out


def load_scene(path: str | Path) -> Scene:
    """Read one ``FloorPlanN.json`` scene file; a bad file raises `SceneError` naming it."""
    p = Path(path)
    try:
        raw = json.loads(p.read_text())
    except FileNotFoundError as e:
        raise SceneError(f"scene file not found: {p}") from e
    except json.JSONDecodeError as e:
        raise SceneError(f"{p}: not valid JSON ({e.msg} at line {e.lineno})") from e
    try:
        return Scene.model_validate(raw)
    except ValidationError as e:
        first = e.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise SceneError(f"{p}: field {where!r}: {first['msg']}") from e


def load_scenes(directory: str | Path) -> dict[str, Scene]:
    """Every ``*.json`` scene in a directory, by scene name."""
    d = Path(directory)
    if not d.is_dir():
        raise SceneError(f"scene directory not found: {d}")
    scenes = {s.scene: s for s in (load_scene(f) for f in sorted(d.glob("*.json")))}
    if not scenes:
        raise SceneError(f"no *.json scene files in {d}")
    return scenes
