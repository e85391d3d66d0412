"""Instructions → typed sub-goals: verbs, destinations, hints, pronouns and multi-step clauses."""

from __future__ import annotations

from goalgraph.agents.embodied import SubGoal, ground

VOCAB = {
    "Apple",
    "Fridge",
    "CounterTop",
    "Egg",
    "Microwave",
    "Mug",
    "CoffeeMachine",
    "Plate",
    "Pan",
    "StoveBurner",
}


def _kinds(goals: list[SubGoal]) -> list[tuple[str, str, str | None]]:
    return [(g.kind, g.obj, g.dest) for g in goals]


def test_single_verbs() -> None:
    assert _kinds(ground("Could you find the Apple in the room?", VOCAB)) == [("find", "Apple", None)]
    assert _kinds(ground("Please take the Mug from the room.", VOCAB)) == [("hold", "Mug", None)]
    assert _kinds(ground("Please turn on the Microwave.", VOCAB)) == [("toggle", "Microwave", None)]
    assert _kinds(ground("Could you put the Apple in the Fridge?", VOCAB)) == [("put", "Apple", "Fridge")]


def test_everyday_words_map_to_types() -> None:
    assert _kinds(ground("Put the apple in the refrigerator.", VOCAB)) == [("put", "Apple", "Fridge")]
    assert _kinds(ground("Place the pan on the stove.", VOCAB)) == [("put", "Pan", "StoveBurner")]


def test_unknown_capitalised_type_is_still_grounded() -> None:
    assert _kinds(ground("Please grab the Ladle from the room.", VOCAB)) == [("hold", "Ladle", None)]


def test_ordered_two_objects() -> None:
    goals = ground("Please place the Apple on the CounterTop first, and then the Mug on the Plate.", VOCAB)
    assert _kinds(goals) == [("put", "Apple", "CounterTop"), ("put", "Mug", "Plate")]


def test_out_of_gives_a_hint_and_pronouns_resolve() -> None:
    goals = ground("Take the egg out of the fridge, then put it in the microwave.", VOCAB)
    assert _kinds(goals) == [("hold", "Egg", None), ("put", "Egg", "Microwave")]
    assert goals[0].hint == "Fridge" and goals[1].hint == "Fridge"


def test_coffee_expands_to_put_toggle_take() -> None:
    goals = ground("Find a mug, pour coffee into it and place it on the countertop.", VOCAB)
    assert _kinds(goals) == [
        ("put", "Mug", "CoffeeMachine"),
        ("toggle", "CoffeeMachine", None),
        ("hold", "Mug", None),
        ("put", "Mug", "CounterTop"),
    ]


def test_nothing_to_ground() -> None:
    assert ground("Hello there.", VOCAB) == []
