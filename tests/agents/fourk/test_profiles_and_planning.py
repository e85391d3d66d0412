"""Profiles load by name or YAML; the upscale rule and task ordering follow the paper."""

from __future__ import annotations

import pytest

from goalgraph.agents.fourk import ProfileError, list_profiles, load_profile, order_tasks, target_factor
from goalgraph.agents.fourk.perception import upscale_tasks


def test_named_profiles_load():
    names = list_profiles()
    for name in ("ExpSR-s4-F", "ExpSR-s4-P", "GenSR-s4-P", "Gen4K-F", "Gen4K-P", "FastGen4K-P"):
        assert name in names
        assert load_profile(name).name == name
    fast = load_profile("FastGen4K_P")  # the paper's file naming works too
    assert fast.fast and fast.upscale_4k and fast.restore_preference == "Perception"
    assert not load_profile("Gen4K-P").fast
    assert load_profile("ExpSR-s4-F").restore_option == "super-resolution"


def test_yaml_file_and_errors(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("Name: mine\nUpscale4K: false\nScaleFactor: 2\nRestorePerference: Fidelity\n")
    profile = load_profile(path)
    assert (
        profile.scale_factor == 2
        and profile.restore_preference == "Fidelity"
        and profile.fidelity_weight > 0.4
    )
    with pytest.raises(ProfileError, match="unknown profile 'Nope'"):
        load_profile("Nope")
    # The paper's own YAML notes (extra keys, `None` written as a word, the User_Define switch).
    paper = tmp_path / "FastGen4K_P.yaml"
    paper.write_text(
        "Name: FastGen4K-P\nPerceptionAgent: depictqa\nReflection: hpsv2+metric\nUpscale4K: true\n"
        "ScaleFactor: null\nRestoreOption: null\nFaceRestore: true\nRestorePerference: Perception\n"
        "Fast4kSideThres: 1024\nUser_Define: False\nUser_Define_Plan: None\nwith_rollback: True\n"
    )
    loaded = load_profile(paper)
    assert loaded.fast and loaded.fixed_plan is None and loaded.with_rollback  # 'Fast' in the name
    switched_off = loaded.model_copy(update={"user_define_plan": ["denoising"], "user_define": False})
    assert switched_off.fixed_plan is None
    bad = tmp_path / "bad.yaml"
    bad.write_text("ScaleFactor: 3\n")
    with pytest.raises(ProfileError, match="ScaleFactor"):
        load_profile(bad)
    bad.write_text("RestoreOption: sharpening\n")
    with pytest.raises(ProfileError, match="unknown task 'sharpening'"):
        load_profile(bad)


def test_upscale_factor_rule():
    four_k = load_profile("Gen4K-P")
    assert [target_factor(side, four_k) for side in (3000, 1024, 1000, 512, 300, 200, 4096)] == [
        2,
        4,
        4,
        8,
        16,
        16,
        1,
    ]
    assert target_factor(64, load_profile("ExpSR-s4-F")) == 4
    # Without 4K: ×4 only below require_sr_size, unless super-resolution is asked for explicitly.
    plain = load_profile("GenSR-s4-P").model_copy(update={"scale_factor": None})
    assert (target_factor(200, plain), target_factor(800, plain)) == (4, 1)
    explicit = plain.model_copy(update={"restore_option": "denoising+super-resolution"})
    assert target_factor(800, explicit) == 4
    assert upscale_tasks(8) == ["super-resolution_2x", "super-resolution"]
    assert upscale_tasks(16) == ["super-resolution", "super-resolution"]


def test_ordering_experience_and_avoid_first():
    agenda = ["super-resolution", "denoising", "dehazing", "jpeg compression artifact removal"]
    assert order_tasks(agenda) == [
        "dehazing",
        "jpeg compression artifact removal",
        "denoising",
        "super-resolution",
    ]
    replanned = order_tasks(agenda, avoid_first=["dehazing"])
    assert replanned[0] != "dehazing" and sorted(replanned) == sorted(agenda)
    assert order_tasks(["denoising"], avoid_first=["denoising"]) == ["denoising"]
