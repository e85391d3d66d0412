"""The co-occurrence prior is learned from the scenes it is given, and only from them."""

from __future__ import annotations

import random
from pathlib import Path

from goalgraph.agents.embodied import CooccurrencePrior
from goalgraph.envs.household import Position, Scene, SceneObject, generate_scene


def _scene(name: str, pairs: list[tuple[str, str]]) -> Scene:
    objects: list[SceneObject] = []
    for i, (small, host) in enumerate(pairs):
        hid, sid = f"{host}|{i}", f"{small}|{i}"
        p = Position(x=float(i), y=0.0, z=0.0)
        objects.append(
            SceneObject(objectId=hid, objectType=host, position=p, receptacle=True, receptacleObjectIds=[sid])
        )
        objects.append(
            SceneObject(objectId=sid, objectType=small, position=p, pickupable=True, parentReceptacles=[hid])
        )
    return Scene(scene=name, objects=objects)


def test_counts_are_learned_from_the_scenes() -> None:
    prior = CooccurrencePrior.learn(
        [
            _scene("A", [("Fork", "Drawer"), ("Apple", "Fridge")]),
            _scene("B", [("Fork", "Drawer"), ("Fork", "CounterTop")]),
        ]
    )
    assert prior.counts["Fork"] == {"Drawer": 2, "CounterTop": 1}
    assert prior.scenes == ["A", "B"]
    assert (
        prior.probability("Fork", "Drawer")
        > prior.probability("Fork", "CounterTop")
        > prior.probability("Fork", "Fridge")
    )
    # An object type never seen falls back to where things are kept in general.
    assert prior.probability("Ladle", "Drawer") > prior.probability("Ladle", "Fridge")


def test_leave_one_scene_out_never_sees_the_held_out_scene() -> None:
    scenes = {"A": _scene("A", [("Fork", "Drawer")]), "B": _scene("B", [("Spoon", "Sink")])}
    prior = CooccurrencePrior.for_scene(scenes, held_out="A")
    assert prior.scenes == ["B"] and "Fork" not in prior.counts


def test_probabilities_sum_to_one_over_known_receptacles() -> None:
    prior = CooccurrencePrior.learn(generate_scene(random.Random(i)) for i in range(5))
    total = sum(prior.probability("Mug", r) for r in prior.base)
    assert abs(total - 1.0) < 0.05


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    prior = CooccurrencePrior.learn([generate_scene(random.Random(3))])
    prior.save(tmp_path / "prior.json")
    assert CooccurrencePrior.load(tmp_path / "prior.json") == prior
