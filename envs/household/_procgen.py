"""Procedural kitchens and tasks (seeded), so demos and tests need no shared data.

scene, task = procedural_episode(seed=3)              # one scene, one task of a random type
tasks = generate_tasks(scene, random.Random(0), n=20)  # key actions follow the paper's patterns
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from ._scene import Position, Scene, SceneObject
from ._tasks import KeyAction, Task, TaskMetadata

__all__ = ["generate_scene", "generate_tasks", "procedural_episode"]


@dataclass(frozen=True)
class _Furniture:
    type: str
    count: int
    openable: bool = False
    toggleable: bool = False
    receptacle: bool = True


# General household layout knowledge (what a kitchen has), not data from any evaluation scene.
_FURNITURE = (
    _Furniture("CounterTop", 2),
    _Furniture("Cabinet", 4, openable=True),
    _Furniture("Drawer", 3, openable=True),
    _Furniture("Fridge", 1, openable=True),
    _Furniture("Microwave", 1, openable=True, toggleable=True),
    _Furniture("SinkBasin", 1),
    _Furniture("StoveBurner", 2),
    _Furniture("GarbageCan", 1),
    _Furniture("DiningTable", 1),
    _Furniture("Shelf", 1),
    _Furniture("CoffeeMachine", 1, toggleable=True),
)
_FIXTURES = {"SinkBasin": "Faucet", "StoveBurner": "StoveKnob"}
# Where each small object plausibly lives.
_HOMES: dict[str, tuple[str, ...]] = {
    "Apple": ("CounterTop", "Fridge", "DiningTable"),
    "Egg": ("Fridge", "CounterTop"),
    "Mug": ("CounterTop", "Cabinet"),
    "Cup": ("Cabinet", "CounterTop"),
    "Plate": ("Cabinet", "DiningTable"),
    "Bowl": ("Cabinet", "CounterTop"),
    "Fork": ("Drawer", "CounterTop"),
    "Spoon": ("Drawer",),
    "Knife": ("Drawer", "CounterTop"),
    "Bread": ("CounterTop", "DiningTable"),
    "Tomato": ("Fridge", "CounterTop"),
    "Potato": ("CounterTop", "Fridge"),
    "Lettuce": ("Fridge", "CounterTop"),
    "Pan": ("StoveBurner", "CounterTop"),
    "SaltShaker": ("Cabinet", "Shelf"),
    "DishSponge": ("SinkBasin", "CounterTop"),
    "Book": ("DiningTable", "Shelf"),
    "CreditCard": ("DiningTable", "Drawer", "CounterTop"),
}
_RECEPTACLE_SMALL = {"Mug", "Cup", "Plate", "Bowl", "Pan"}


def _oid(kind: str, p: Position) -> str:
    return f"{kind}|{p.x:+06.2f}|{p.y:+06.2f}|{p.z:+06.2f}"


def generate_scene(rng: random.Random, name: str = "Procedural", n_small: int = 12) -> Scene:
    """A random kitchen: furniture on a 1.6 m grid (so nothing is accidentally 'near'), fixtures beside
    sinks and burners, and `n_small` small objects in plausible places."""
    objects: list[SceneObject] = []
    cells = [(x, z) for x in range(6) for z in range(4)]
    rng.shuffle(cells)
    by_type: dict[str, list[SceneObject]] = {}
    for f in _FURNITURE:
        for _ in range(f.count):
            cx, cz = cells.pop()
            pos = Position(x=cx * 1.6, y=round(rng.uniform(0.0, 2.0), 2), z=cz * 1.6)
            obj = SceneObject(
                objectId=_oid(f.type, pos),
                objectType=f.type,
                position=pos,
                receptacle=f.receptacle,
                receptacleObjectIds=[],
                openable=f.openable,
                toggleable=f.toggleable,
            )
            objects.append(obj)
            by_type.setdefault(f.type, []).append(obj)
            if f.type in _FIXTURES:
                fp = Position(x=pos.x + 0.2, y=pos.y, z=pos.z + 0.2)
                objects.append(
                    SceneObject(
                        objectId=_oid(_FIXTURES[f.type], fp),
                        objectType=_FIXTURES[f.type],
                        position=fp,
                        toggleable=True,
                    )
                )
    kinds = rng.sample(sorted(_HOMES), k=min(n_small, len(_HOMES)))
    for kind in kinds:
        homes = [h for h in _HOMES[kind] if h in by_type]
        host = rng.choice(by_type[rng.choice(homes)])
        p = Position(
            x=round(host.position.x + rng.uniform(-0.3, 0.3), 2),
            y=host.position.y + 0.1,
            z=round(host.position.z + rng.uniform(-0.3, 0.3), 2),
        )
        small = SceneObject(
            objectId=_oid(kind, p),
            objectType=kind,
            position=p,
            pickupable=True,
            receptacle=kind in _RECEPTACLE_SMALL,
            receptacleObjectIds=[],
            parentReceptacles=[host.objectId],
        )
        assert host.receptacleObjectIds is not None
        host.receptacleObjectIds.append(small.objectId)
        objects.append(small)
    return Scene(scene=name, objects=objects)


def _ka(action: str, obj: SceneObject | None = None) -> KeyAction:
    return KeyAction(
        action=action, objectId=obj.objectId if obj else "", objectType=obj.objectType if obj else ""
    )


def _fetch(obj: SceneObject, host: SceneObject) -> list[KeyAction]:
    if host.openable:
        return [_ka("navigate to", host), _ka("open", host), _ka("pickup", obj), _ka("close", host)]
    return [_ka("navigate to", host), _ka("pickup", obj)]


def _deliver(dest: SceneObject) -> list[KeyAction]:
    if dest.openable:
        return [_ka("navigate to", dest), _ka("open", dest), _ka("put", dest)]
    return [_ka("navigate to", dest), _ka("put", dest)]


def _task(
    scene: Scene, kind: str, query: str, actions: list[KeyAction], related: list[SceneObject], idx: int
) -> Task:
    return Task(
        scene=scene.scene,
        tasktype=kind,
        taskquery=query,
        identity=idx,
        task_metadata=TaskMetadata(actions=[*actions, _ka("end")], totalreward=len(actions) + 1),
        related_objects=[o.objectId for o in related],
    )


def generate_tasks(scene: Scene, rng: random.Random, n: int = 10) -> list[Task]:
    """`n` tasks of the ten templated types, with key actions built the way the paper's data builds them."""
    by_id = scene.by_id()
    parents = scene.parents()
    smalls = [o for o in scene.objects if o.pickupable and o.objectId in parents]
    dests = [
        o
        for o in scene.objects
        if o.receptacle and not o.pickupable and o.objectType not in ("CoffeeMachine",)
    ]
    toggles = [o for o in scene.objects if o.toggleable and not o.pickupable]
    out: list[Task] = []
    for idx in range(n):
        obj = rng.choice(smalls)
        host = by_id[parents[obj.objectId]]
        # A destination of another type than the object's home: "put the knife in the drawer" for a knife
        # already in a drawer would make the reference's close-then-reopen key actions ambiguous.
        dest = rng.choice([d for d in dests if d.objectType != host.objectType])
        closed = host.openable
        kinds = [
            "single_search_from_closerep" if closed else "single_search",
            "single_pickup_from_closerep" if closed else "single_pickup",
            "single_toggle",
            ("pickup_from_closerep_and_put" if closed else "pickup_and_put")
            + ("_in_closerep" if dest.openable else ""),
            "ordered_pickup_two_object_and_put",
        ]
        kind = rng.choice(kinds)
        if kind.startswith("pickup") and "from_closerep" not in kind and not dest.openable:
            kind = "pickup_and_put"
        t, d = obj.objectType, dest.objectType
        if kind.startswith("single_search"):
            acts = [_ka("navigate to", host)] + ([_ka("open", host)] if closed else [])
            out.append(_task(scene, kind, f"Could you find the {t} in the room?", acts, [obj], idx))
        elif kind.startswith("single_pickup"):
            acts = _fetch(obj, host)
            out.append(_task(scene, kind, f"Please take the {t} from the room.", acts, [obj], idx))
        elif kind == "single_toggle":
            tog = rng.choice(toggles)
            anchor = by_id.get(parents.get(tog.objectId, ""), tog)
            acts = [_ka("navigate to", anchor), _ka("toggle", tog)]
            out.append(_task(scene, kind, f"Please turn on the {tog.objectType}.", acts, [tog], idx))
        elif kind.startswith("ordered"):
            others = [
                o
                for o in smalls
                if o.objectType != t
                and o.objectId != dest.objectId
                and by_id[parents[o.objectId]].objectType != dest.objectType
            ] or [o for o in smalls if o.objectType != t and o.objectId != dest.objectId]
            obj2 = rng.choice(others)
            host2 = by_id[parents[obj2.objectId]]
            dest2 = rng.choice([x for x in dests if x.objectType not in (host2.objectType, dest.objectType)])
            acts = _fetch(obj, host) + _deliver(dest) + _fetch(obj2, host2) + _deliver(dest2)
            q = f"Please place the {t} on the {d} first, and then the {obj2.objectType} on the {dest2.objectType}."
            out.append(_task(scene, kind, q, acts, [obj, obj2], idx))
        else:
            acts = _fetch(obj, host) + _deliver(dest)
            out.append(_task(scene, kind, f"Could you put the {t} in the {d}?", acts, [obj], idx))
    return out


def procedural_episode(seed: int = 0, kind: str | None = None) -> tuple[Scene, Task]:
    """A seeded scene and one task on it (of task type `kind` when given and possible)."""
    rng = random.Random(seed)
    scene = generate_scene(rng, name=f"Procedural{seed}")
    tasks = generate_tasks(scene, rng, n=40)
    if kind is not None:
        matching = [t for t in tasks if t.tasktype == kind]
        if not matching:
            raise ValueError(f"seed {seed} produced no task of type {kind!r}; try another seed")
        return scene, matching[0]
    return scene, tasks[0]
