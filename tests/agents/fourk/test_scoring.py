"""The Q-MoE score: on a noisy low-resolution photo, super-resolution fidelity does not reward putting the
input's noise back (exact re-projection), and the SR-only fidelity profile, whose toolbox holds the
PSNR-oriented networks, picks the expert that denoises while it upscales and beats bicubic."""

from __future__ import annotations

from goalgraph.agents.fourk import load_profile, run_fourk
from goalgraph.agents.fourk.evaluation import LEVELS, degrade, photo
from goalgraph.agents.fourk.scoring import FIDELITY_SIGMA, SR_FIDELITY_SIGMA, quality_score
from goalgraph.tools.image import Image, iqa
from goalgraph.tools.image.experts import experts_for

# The benchmark's noisiest astronaut (96 px input), where IBP used to win the SR step.
HR = photo("astronaut", 384)
LR = Image.from_array(degrade(HR, *LEVELS[2], seed=2000 + len("astronaut")))


def _sr(name: str) -> Image:
    [expert] = [e for e in experts_for("super-resolution") if e.name == name]
    return expert.call(LR)


def test_re_projection_wins_pixel_fidelity_but_not_the_sr_score():
    ibp, learned = _sr("ibp_x4"), _sr("realesr_animevideov3_x4")

    def score(image: Image, sigma: float) -> float:
        return quality_score(image, LR, fidelity_weight=0.5, fidelity_sigma=sigma).score

    # Compared at 1.5 px, back-projection (the input's noise put back) wins the step; at 3 px it loses.
    assert score(ibp, FIDELITY_SIGMA) > score(learned, FIDELITY_SIGMA)
    assert score(learned, SR_FIDELITY_SIGMA) > score(ibp, SR_FIDELITY_SIGMA)
    assert iqa.psnr_y(learned, HR) > iqa.psnr_y(ibp, HR)  # and that is the better image


def test_the_sr_only_fidelity_profile_beats_bicubic_on_a_noisy_input():
    profile = load_profile("ExpSR-s4-F")
    toolbox = {e.name for e in experts_for("super-resolution", require=("fidelity",))}
    assert toolbox == {"realesr_animevideov3_x4", "waifu2x_photo_x4"}  # no interpolator: they are baselines
    result = run_fourk(LR, profile=profile, model="test")
    [(task, expert)] = result.restoration.path
    # σ ≈ 18: the waifu2x photo expert (level 3 per pass) wins the step over animevideov3's sharper noise.
    assert task == "super-resolution" and expert == "waifu2x_photo_x4"
    bicubic = _sr("bicubic_x4")
    assert iqa.psnr_y(result.final, HR) > iqa.psnr_y(bicubic, HR) + 0.5
