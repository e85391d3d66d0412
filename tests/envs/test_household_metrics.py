"""The paper's metrics on trajectories worked out by hand."""

from __future__ import annotations

import pytest

from goalgraph.envs.household import KeyAction, Task, TaskMetadata, TrajectoryStep, max_steps, score


def _task(tasktype: str, keys: list[str], name: str = "Could you find the Cup in the room?") -> Task:
    acts = []
    for k in keys:
        verb, _, typ = k.rpartition(" ") if k != "end" else ("end", "", "")
        acts.append(KeyAction(action=verb, objectType=typ))
    return Task(
        scene="S", tasktype=tasktype, taskquery=name, taskname=name, task_metadata=TaskMetadata(actions=acts)
    )


def _t(
    action: str,
    obj: str | None = None,
    ok: bool = True,
    legal: list[str] | None = None,
    oid: str | None = None,
) -> TrajectoryStep:
    return TrajectoryStep(
        action=action, object=obj, object_id=oid or obj, success=ok, legal_objects=legal or []
    )


PICK_CLOSED = ["navigate to Cabinet", "open Cabinet", "pickup Cup", "close Cabinet", "end"]


def test_optimal_trajectory_scores_one() -> None:
    task = _task("single_pickup_from_closerep", PICK_CLOSED)
    traj = [
        _t("init"),
        _t("navigate to", "Cabinet"),
        _t("open", "Cabinet"),
        _t("pickup", "Cup"),
        _t("close", "Cabinet"),
        _t("end"),
    ]
    m = score(task, traj)
    # total = 4 (navigate excluded); efficiency = (5+1)/6
    assert (m.success, m.reward, m.total_reward, m.efficiency, m.completeness, m.steps) == (
        1,
        4,
        4,
        1.0,
        1.0,
        4,
    )


def test_detours_lower_efficiency_and_failures_earn_nothing() -> None:
    task = _task("single_pickup_from_closerep", PICK_CLOSED)
    traj = [
        _t("init"),
        _t("navigate to", "Cabinet", oid="Cabinet|1"),
        _t("pickup", "Cup", ok=False),
        _t("open", "Cabinet"),
        _t("navigate to", "Cabinet", oid="Cabinet|2"),
        _t("open", "Cabinet"),
        _t("pickup", "Cup"),
        _t("close", "Cabinet"),
        _t("end"),
    ]
    m = score(task, traj)
    assert m.success == 1 and m.reward == 4
    assert m.efficiency == pytest.approx(6 / 9)
    assert m.repeat_rate == 0.0  # two different cabinets
    assert m.repeat_rate_by_type == pytest.approx(0.5)  # the paper's logs name types only


def test_missing_key_action_is_partial() -> None:
    task = _task("single_pickup_from_closerep", PICK_CLOSED)
    traj = [_t("init"), _t("navigate to", "Cabinet"), _t("open", "Cabinet"), _t("pickup", "Cup"), _t("end")]
    m = score(task, traj)
    assert (m.success, m.reward, m.efficiency) == (0, 3, 0.0)
    assert m.completeness == pytest.approx(0.75)


def test_each_key_action_matches_once() -> None:
    task = _task(
        "pickup_and_put",
        ["navigate to CounterTop", "pickup Apple", "navigate to Fridge", "put Fridge", "end"],
    )
    traj = [_t("init"), _t("pickup", "Apple"), _t("pickup", "Apple"), _t("end")]
    assert score(task, traj).reward == 2  # pickup once + end; put missing


def test_put_in_counts_as_put() -> None:
    task = _task("pickup_and_put", ["pickup Apple", "put Fridge", "end"])
    traj = [_t("init"), _t("pickup", "Apple"), _t("put in", "Fridge"), _t("end")]
    assert score(task, traj).success == 1


def test_repeat_rate_counts_revisits() -> None:
    task = _task("single_pickup", ["navigate to CounterTop", "pickup Apple", "end"])
    traj = [
        _t("init"),
        _t("navigate to", "A"),
        _t("navigate to", "B"),
        _t("navigate to", "A"),
        _t("navigate to", "A", ok=False),
        _t("pickup", "Apple"),
        _t("end"),
    ]
    assert score(task, traj).repeat_rate == pytest.approx(2 / 4)  # failed navigations count too


def test_single_search_end_needs_target_in_view() -> None:
    task = _task(
        "single_search", ["navigate to CounterTop", "end"], name="Could you find the Cup in the room?"
    )
    seen = [_t("init"), _t("navigate to", "Shelf"), _t("end", legal=["Shelf", "Cup"])]
    assert score(task, seen).success == 1
    unseen = [_t("init"), _t("navigate to", "Shelf"), _t("end", legal=["Shelf"])]
    assert score(task, unseen).success == 0
    # ... or the last successful action is itself a key action
    last_key = [_t("init"), _t("navigate to", "CounterTop"), _t("end", legal=["CounterTop"])]
    assert score(task, last_key).success == 1
    # a failed action in between does not change the last successful one
    with_fail = [
        _t("init"),
        _t("navigate to", "CounterTop"),
        _t("open", "X", ok=False),
        _t("end", legal=["CounterTop"]),
    ]
    assert score(task, with_fail).success == 1


def test_search_from_closed_receptacle_needs_the_open() -> None:
    task = _task("single_search_from_closerep", ["navigate to Cabinet", "open Cabinet", "end"])
    assert score(task, [_t("init"), _t("navigate to", "Cabinet"), _t("end")]).completeness == pytest.approx(
        0.5
    )
    assert (
        score(task, [_t("init"), _t("navigate to", "Cabinet"), _t("open", "Cabinet"), _t("end")]).success == 1
    )


def test_step_limits_by_family() -> None:
    assert max_steps("single_search") == 22 and max_steps("single_search_from_closerep") == 22
    assert max_steps("single_pickup") == 24 and max_steps("single_toggle") == 24
    assert max_steps("pickup_and_put_in_closerep") == 30
    assert max_steps("ordered_pickup_two_object_and_put") == 36
    assert max_steps("long-range tasks with dependency relationships") == 36


def test_families() -> None:
    assert _task("single_toggle", ["end"]).family == "manipulate"
    assert _task("pickup_from_closerep_and_put", ["end"]).family == "transport"
    assert _task("long-range tasks with dependency relationships", ["end"]).family == "composite"
