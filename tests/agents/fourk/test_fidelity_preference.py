"""The Fidelity preference's two rules: a super-resolution step outputs the pixel mean of the candidates
that pass the threshold (failing ones left out; Perception does not fuse), and a denoising step picks
the candidate with the lowest SURE risk (Perception picks by score)."""

from __future__ import annotations

import numpy as np
import skimage.data

from goalgraph.agents.fourk import load_profile, run_fourk
from goalgraph.agents.fourk.restoration import RestorationResult
from goalgraph.tools.image import Image
from goalgraph.tools.image.experts import experts_for, make_expert

PHOTO = Image.from_array(skimage.data.astronaut()[100:164, 180:244])
SR_ONLY = {"user_define_plan": ["super-resolution"], "restore_option": None}


def _fidelity_networks(task: str):
    return experts_for(task, require=("fidelity",))


def _sr_step(rest: RestorationResult) -> dict:
    return next(s for s in rest.steps if s["subtask"] == "super-resolution")


def _sr_children(rest: RestorationResult) -> dict[str, np.ndarray]:
    root = rest.nodes[0]
    return {
        rest.nodes[i].expert or "": rest.nodes[i].image.array() for i in root.children["super-resolution"]
    }


def test_fidelity_sr_step_outputs_the_mean_of_its_passing_candidates():
    profile = load_profile("ExpSR-s4-F").model_copy(update=SR_ONLY)
    assert profile.fusion
    rest = run_fourk(PHOTO, profile=profile, model="test", toolbox=_fidelity_networks).restoration
    step = _sr_step(rest)
    fused = step["candidates"][0]
    names = [e.name for e in _fidelity_networks("super-resolution")]
    assert step["chosen"] == fused["expert"] == f"fusion({'+'.join(fused['members'])})"
    assert sorted(fused["members"]) == sorted(names)  # all three networks pass on a clean photo
    children = _sr_children(rest)
    expected = np.mean([children[n].astype(np.float64) for n in fused["members"]], axis=0)
    out = rest.final.array().astype(np.float64)
    assert out.shape == (PHOTO.height * 4, PHOTO.width * 4, 3)
    assert np.abs(out - expected).max() <= 0.5 + 1e-6  # the mean, rounded to 8 bit
    # Each member is still in the tree beside the fused node, with its own score.
    assert set(names) <= set(children) and rest.path == [("super-resolution", fused["expert"])]


def test_a_candidate_under_the_threshold_is_not_fused():
    ruin = make_expert(
        "planted_ruin_x4",
        "super-resolution",
        lambda x: np.random.default_rng(0).integers(0, 256, (x.shape[0] * 4, x.shape[1] * 4, 3), np.uint8),
        "Upscales ×4 into noise (test fault).",
    )

    def toolbox(task: str):
        return [ruin, *_fidelity_networks(task)]

    profile = load_profile("ExpSR-s4-F").model_copy(update=SR_ONLY)
    rest = run_fourk(PHOTO, profile=profile, model="test", toolbox=toolbox).restoration
    step = _sr_step(rest)
    ruin_score = next(c["quality"]["score"] for c in step["candidates"] if c["expert"] == "planted_ruin_x4")
    assert ruin_score < profile.rollback_threshold
    assert "planted_ruin_x4" not in step["candidates"][0]["members"]
    assert len(step["candidates"][0]["members"]) >= 2 and not step["failed"]


def test_perception_and_switched_off_profiles_keep_the_single_best():
    for profile in (
        load_profile("GenSR-s4-P").model_copy(update=SR_ONLY),
        load_profile("ExpSR-s4-F").model_copy(update={**SR_ONLY, "fuse_sr": False}),
    ):
        assert not profile.fusion
        rest = run_fourk(PHOTO, profile=profile, model="test", toolbox=_fidelity_networks).restoration
        step = _sr_step(rest)
        assert not step["chosen"].startswith("fusion(")
        assert step["chosen"] == max(step["candidates"], key=lambda c: c["quality"]["score"])["expert"]


def test_fuse_sr_is_read_from_yaml(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("Name: mine\nRestorePreference: Perception\nFuseSR: true\n", encoding="utf-8")
    assert load_profile(path).fusion


def test_fidelity_denoising_picks_the_lowest_risk_and_perception_the_best_score():
    rng = np.random.default_rng(3)
    noisy = np.clip(PHOTO.array() + rng.normal(0, 15, PHOTO.array().shape) + 0.5, 0, 255).astype(np.uint8)
    plan = {"user_define_plan": ["denoising", "super-resolution"], "restore_option": None}

    def toolbox(task: str):
        # Bicubic SR: the SR step is not what this test looks at.
        return (
            [experts_for(task, require=("baseline",))[-1]] if task.startswith("super") else experts_for(task)
        )

    for name, key in (("ExpSR-s4-F", "risk"), ("GenSR-s4-P", "score")):
        profile = load_profile(name).model_copy(update=plan)
        rest = run_fourk(Image.from_array(noisy), profile=profile, model="test", toolbox=toolbox).restoration
        step = next(s for s in rest.steps if s["subtask"] == "denoising")
        scored = [c for c in step["candidates"] if c["quality"] is not None]
        assert len(scored) >= 3 and all(c["quality"]["risk"] is not None for c in scored)
        # The whole ranking follows the rule (here the two rules order the candidates differently).
        values = [c["quality"][key] for c in scored]
        assert values == sorted(values, reverse=key == "score")
        assert step["chosen"] == scored[0]["expert"] == step["candidates"][0]["expert"]
