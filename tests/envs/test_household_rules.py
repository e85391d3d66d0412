"""The simulator's rules, one by one: each legal action's effect and each illegal case."""

from __future__ import annotations

import pytest

from goalgraph.envs.household import HouseholdEnv, Scene, SimConfig, parse_command


def _env(scene: Scene, **kw: object) -> HouseholdEnv:
    env = HouseholdEnv(scene, SimConfig(**kw))  # type: ignore[arg-type]
    env.reset(instruction="test", max_steps=50)
    return env


def test_handles_are_unique_and_readable(scene: Scene) -> None:
    h = scene.handles()
    assert h["Cabinet|1"] == "Cabinet_1" and h["Cabinet|2"] == "Cabinet_2" and h["Fridge|1"] == "Fridge"


def test_parse_command_forms() -> None:
    assert parse_command("navigate to Fridge") == ("navigate to", "Fridge")
    assert parse_command("put in Fridge") == ("put", "Fridge")
    assert parse_command("Pick up Apple.") == ("pickup", "Apple")
    assert parse_command("observe") == ("observe", None)
    assert parse_command("move forward") == ("move forward", None)
    assert parse_command("fly to the moon") is None


def test_start_sees_furniture_not_small_objects(scene: Scene) -> None:
    env = _env(scene)
    obs = env.observe_state("init", True, "")
    known = {o.handle for o in obs.known}
    assert {"CounterTop", "Fridge", "Cabinet_1", "SinkBasin", "GarbageCan"} <= known
    assert "Apple" not in known and "Egg" not in known and "Floor" not in known
    assert obs.visible == [] and obs.location is None


def test_navigate_then_see_contents(scene: Scene) -> None:
    env = _env(scene)
    r = env.step("navigate to CounterTop")
    assert r.success and r.observation.location == "CounterTop"
    assert {"Apple", "Bowl", "CounterTop"} <= {o.handle for o in r.observation.visible}
    assert env.legal_types() == ["Apple", "Bowl", "CounterTop"]


def test_fixture_beside_sink_is_in_view(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to SinkBasin")
    assert "Faucet" in {o.handle for o in env.observe_state("x", True, "").visible}
    assert env.step("toggle Faucet").success


def test_illegal_unknown_action(scene: Scene) -> None:
    env = _env(scene)
    r = env.step("dance")
    assert not r.success and r.action == "error" and "is illegal" in r.feedback
    assert env.trajectory[-1].action == "error" and env.step_count == 2


def test_illegal_unknown_object(scene: Scene) -> None:
    r = _env(scene).step("navigate to Spaceship")
    assert not r.success and "is illegal" in r.feedback and "Spaceship" in r.feedback


def test_illegal_navigate_to_unseen_small_object(scene: Scene) -> None:
    env = _env(scene)
    r = env.step("navigate to Apple")
    assert not r.success and "not currently navigable" in r.feedback
    env.step("navigate to CounterTop")
    assert env.step("navigate to Apple").success  # seen now


def test_illegal_navigate_into_closed_receptacle(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to Fridge")
    assert not env.step("navigate to Egg").success


def test_illegal_pickup_not_in_view(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to Fridge")
    r = env.step("pickup Apple")
    assert not r.success and "not in view" in r.feedback and env.holding is None


def test_illegal_pickup_from_closed_receptacle(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to Fridge")
    assert "Egg" not in {o.handle for o in env.observe_state("x", True, "").visible}
    assert not env.step("pickup Egg").success
    assert env.step("open Fridge").success
    assert env.step("pickup Egg").success and env.holding == "Egg|1"


def test_illegal_pickup_not_pickupable(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to CounterTop")
    r = env.step("pickup CounterTop")
    assert not r.success and "cannot be picked up" in r.feedback


def test_illegal_pickup_with_full_hand(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to CounterTop")
    assert env.step("pickup Apple").success
    r = env.step("pickup Bowl")
    assert not r.success and "hand is full" in r.feedback and env.holding == "Apple|1"


def test_illegal_put_with_empty_hand(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to CounterTop")
    r = env.step("put Bowl")
    assert not r.success and "not holding" in r.feedback


def test_illegal_put_into_closed_receptacle(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to CounterTop")
    env.step("pickup Apple")
    env.step("navigate to Cabinet_1")
    r = env.step("put Cabinet_1")
    assert not r.success and "closed" in r.feedback and env.holding == "Apple|1"
    assert env.step("open Cabinet_1").success
    assert env.step("put Cabinet_1").success and env.parent["Apple|1"] == "Cabinet|1"


def test_illegal_put_on_non_receptacle(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to SinkBasin")
    env.step("navigate to CounterTop")
    env.step("pickup Apple")
    env.step("navigate to SinkBasin")
    r = env.step("put Faucet")
    assert not r.success and "not a receptacle" in r.feedback


def test_put_into_small_receptacle_and_carry_it(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to CounterTop")
    env.step("pickup Apple")
    assert env.step("put Bowl").success and env.parent["Apple|1"] == "Bowl|1"
    assert env.step("pickup Bowl").success
    env.step("navigate to GarbageCan")
    assert env.step("put GarbageCan").success
    env.step("navigate to GarbageCan")
    assert {"Apple", "Bowl"} <= {o.handle for o in env.observe_state("x", True, "").visible}


def test_illegal_toggle_not_toggleable(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to CounterTop")
    r = env.step("toggle Apple")
    assert not r.success and "cannot be switched" in r.feedback


def test_toggle_flips_state(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to LightSwitch")
    assert env.step("toggle LightSwitch").success and not env.objects["LightSwitch|1"].isToggled
    assert env.step("toggle LightSwitch").success and env.objects["LightSwitch|1"].isToggled


def test_illegal_open_not_openable_and_already_open(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to CounterTop")
    assert "cannot be opened" in env.step("open CounterTop").feedback
    env.step("navigate to Fridge")
    assert env.step("open Fridge").success
    r = env.step("open Fridge")
    assert not r.success and "already open" in r.feedback


def test_illegal_close_already_closed(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to Cabinet_1")
    r = env.step("close Cabinet_1")
    assert not r.success and "already closed" in r.feedback


def test_illegal_act_on_far_object(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to Fridge")
    r = env.step("open Cabinet_1")
    assert not r.success and "not in view" in r.feedback
    assert not env.objects["Cabinet|1"].isOpen


def test_illegal_navigate_to_held_object(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to CounterTop")
    env.step("pickup Apple")
    r = env.step("navigate to Apple")
    assert not r.success and "you hold it" in r.feedback


def test_closing_hides_contents_again(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to Fridge")
    env.step("open Fridge")
    assert "Egg" in env.legal_types()
    env.step("close Fridge")
    assert "Egg" not in env.legal_types()


def test_step_limit_ends_episode_with_end(scene: Scene) -> None:
    env = HouseholdEnv(scene)
    env.reset(instruction="x", max_steps=3)
    env.step("observe")
    r = env.step("observe")
    assert r.done and env.done and [s.action for s in env.trajectory] == ["init", "observe", "observe", "end"]
    with pytest.raises(RuntimeError):
        env.step("observe")


def test_end_ends_episode(scene: Scene) -> None:
    env = _env(scene)
    r = env.step("end")
    assert r.done and env.trajectory[-1].action == "end" and env.step_count == 1


def test_planted_pickup_fault(scene: Scene) -> None:
    env = _env(scene, flaky_pickups={"Apple": 1})
    env.step("navigate to CounterTop")
    r = env.step("pickup Apple")
    assert not r.success and "slipped" in r.feedback
    assert env.step("pickup Apple").success


def test_bare_type_prefers_object_in_view(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to Cabinet_2")
    r = env.step("open Cabinet")
    assert r.success and r.object_id == "Cabinet|2"


def test_observation_text_mentions_state(scene: Scene) -> None:
    env = _env(scene)
    env.step("navigate to Fridge")
    text = env.step("open Fridge").observation.text
    assert "Fridge (open)" in text and "Egg" in text and "You hold nothing" in text
