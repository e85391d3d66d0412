"""Rollback: a planted expert that ruins the image fails the threshold, the tree backs up, and the final
image does not use it; every tried branch stays in the tree."""

from __future__ import annotations

import numpy as np
import skimage.data

from goalgraph.agents.fourk import load_profile, run_fourk
from goalgraph.tools.image import Image
from goalgraph.tools.image.experts import experts_for, make_expert

PHOTO = Image.from_array(skimage.data.coffee()[100:164, 200:264])


def _ruin(rgb8: np.ndarray) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 256, rgb8.shape, dtype=np.uint8)


RUIN = make_expert("planted_ruin", "dehazing", _ruin, "Replaces the image with noise (test fault).")


def toolbox(task: str):
    if task == "dehazing":
        return [RUIN]
    return [
        e for e in experts_for(task) if e.name in ("bicubic_x4", "lanczos_x4", "dct_xphoto", "tv_chambolle")
    ]


def test_planted_ruin_is_rolled_back_and_not_used():
    profile = load_profile("ExpSR-s4-F").model_copy(
        update={"user_define_plan": ["dehazing", "super-resolution"], "restore_option": None}
    )
    result = run_fourk(PHOTO, profile=profile, model="test", toolbox=toolbox)
    rest = result.restoration
    kinds = [e.kind for e in rest.events]
    assert "rollback" in kinds and "replan" in kinds
    replan = next(e for e in rest.events if e.kind == "replan")
    assert replan.detail["avoid_first"] == ["dehazing"] and replan.detail["plan"][0] == "super-resolution"
    # The ruined branches are still in the tree, marked failed.
    ruined = [n for n in rest.nodes if n.expert == "planted_ruin"]
    assert len(ruined) == 2 and all(n.failed for n in ruined)
    # Final image: super-resolved, without the planted expert anywhere on its path.
    assert all(expert != "planted_ruin" for _, expert in rest.path)
    assert [s for s, _ in rest.path] == ["super-resolution"]
    assert rest.skipped == ["dehazing"]
    assert (result.final.width, result.final.height) == (PHOTO.width * 4, PHOTO.height * 4)


def test_without_rollback_the_failure_is_kept():
    profile = load_profile("ExpSR-s4-F").model_copy(
        update={"user_define_plan": ["dehazing", "super-resolution"], "with_rollback": False}
    )
    result = run_fourk(PHOTO, profile=profile, model="test", toolbox=toolbox)
    assert next(e for _, e in result.restoration.path) == "planted_ruin"
    assert not any(e.kind == "rollback" for e in result.restoration.events)


def test_planted_expert_loses_the_q_moe_when_real_experts_compete():
    real = list(experts_for("dehazing"))

    def with_real(task: str):
        return [RUIN, *real] if task == "dehazing" else toolbox(task)

    profile = load_profile("ExpSR-s4-F").model_copy(
        update={"user_define_plan": ["dehazing", "super-resolution"], "restore_option": None}
    )
    rest = run_fourk(PHOTO, profile=profile, model="test", toolbox=with_real).restoration
    dehaze_steps = [step for step in rest.steps if step["subtask"] == "dehazing"]
    assert dehaze_steps and all(step["candidates"][-1]["expert"] == "planted_ruin" for step in dehaze_steps)
    assert all(expert != "planted_ruin" for _, expert in rest.path)


def test_super_resolution_is_never_dropped():
    ruin_sr = make_expert(
        "planted_ruin_x4",
        "super-resolution",
        lambda x: _ruin(np.repeat(np.repeat(x, 4, axis=0), 4, axis=1)),
        "Upscales ×4 into noise (test fault).",
    )

    def sr_ruined(task: str):
        return [ruin_sr] if task.startswith("super-resolution") else toolbox(task)

    profile = load_profile("ExpSR-s4-F").model_copy(
        update={"user_define_plan": ["denoising", "super-resolution"], "restore_option": None}
    )
    result = run_fourk(PHOTO, profile=profile, model="test", toolbox=sr_ruined)
    kinds = [e.kind for e in result.restoration.events]
    assert "rollback" in kinds and "compromise" in kinds and kinds[-1] == "accept"
    # The size is the profile's contract: the best (failed) SR candidate is accepted, not dropped.
    assert (result.final.width, result.final.height) == (PHOTO.width * 4, PHOTO.height * 4)
    assert "super-resolution" not in result.restoration.skipped
