"""A tiny hand-built kitchen whose every rule outcome can be worked out by hand."""

from __future__ import annotations

import pytest

from goalgraph.envs.household import Position, Scene, SceneObject


def _obj(oid: str, x: float, z: float, **kw: object) -> SceneObject:
    return SceneObject(objectId=oid, objectType=oid.split("|")[0], position=Position(x=x, y=1.0, z=z), **kw)  # type: ignore[arg-type]


def tiny_scene() -> Scene:
    """CounterTop (Apple, Bowl), closed Fridge (Egg), empty closed Cabinet, SinkBasin + Faucet beside it,
    GarbageCan, LightSwitch; furniture 3 m apart so only the faucet is 'near' anything."""
    return Scene(
        scene="Tiny",
        objects=[
            _obj("CounterTop|1", 0, 0, receptacle=True, receptacleObjectIds=["Apple|1", "Bowl|1"]),
            _obj("Apple|1", 0.1, 0.1, pickupable=True, parentReceptacles=["CounterTop|1"]),
            _obj(
                "Bowl|1",
                -0.1,
                0.1,
                pickupable=True,
                receptacle=True,
                receptacleObjectIds=[],
                parentReceptacles=["CounterTop|1"],
            ),
            _obj("Fridge|1", 3, 0, receptacle=True, openable=True, receptacleObjectIds=["Egg|1"]),
            _obj("Egg|1", 3.1, 0, pickupable=True, parentReceptacles=["Fridge|1"]),
            _obj("Cabinet|1", 6, 0, receptacle=True, openable=True, receptacleObjectIds=[]),
            _obj("Cabinet|2", 6, 3, receptacle=True, openable=True, receptacleObjectIds=[]),
            _obj("SinkBasin|1", 0, 3, receptacle=True, receptacleObjectIds=[]),
            _obj("Faucet|1", 0.2, 3.1, toggleable=True),
            _obj("GarbageCan|1", 3, 3, receptacle=True, receptacleObjectIds=[]),
            _obj("LightSwitch|1", 9, 9, toggleable=True, isToggled=True),
            _obj("Floor|1", 0, 0, receptacle=True, receptacleObjectIds=["GarbageCan|1"]),
        ],
    )


@pytest.fixture()
def scene() -> Scene:
    """The tiny kitchen."""
    return tiny_scene()
