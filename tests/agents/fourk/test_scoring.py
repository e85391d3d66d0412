"""The Q-MoE score: on a noisy low-resolution photo, super-resolution fidelity does not reward putting the
input's noise back (exact re-projection), and the SR-only fidelity profile, whose toolbox holds the
PSNR-oriented networks, picks the expert that denoises while it upscales and beats bicubic; the SURE
risk of a denoising step matches hand-computed cases and orders denoisers like their true error."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import cv2
import numpy as np
import pytest

from goalgraph.agents.fourk import load_profile, run_fourk
from goalgraph.agents.fourk.evaluation import LEVELS, degrade, photo
from goalgraph.agents.fourk.scoring import (
    FIDELITY_SIGMA,
    SR_FIDELITY_SIGMA,
    denoising_risk,
    quality_score,
    with_risk_ratios,
)
from goalgraph.tools.image import Image, iqa
from goalgraph.tools.image.degradation import noise_sigma
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
    # No interpolator: they are baselines.
    assert toolbox == {"realesr_animevideov3_x4", "waifu2x_photo_x4", "srmd_x4"}
    result = run_fourk(LR, profile=profile, model="test")
    [(task, expert)] = result.restoration.path
    [step] = result.restoration.steps
    singles = [c for c in step["candidates"] if not c["members"]]
    # σ ≈ 18: of the single experts the waifu2x photo one (level 3 per pass) scores best, over
    # animevideov3's sharper noise; the step outputs the fusion of the passing ones.
    assert max(singles, key=lambda c: c["quality"]["score"])["expert"] == "waifu2x_photo_x4"
    assert task == "super-resolution" and expert == step["candidates"][0]["expert"]
    assert expert.startswith("fusion(") and "waifu2x_photo_x4" in step["candidates"][0]["members"]
    bicubic = _sr("bicubic_x4")
    assert iqa.psnr_y(result.final, HR) > iqa.psnr_y(bicubic, HR) + 0.5


def _noisy_flat_photo(sigma: float) -> tuple[np.ndarray, Image]:
    clean = cv2.GaussianBlur(photo("coffee", 192).astype(np.float32), (0, 0), 2.0)
    rng = np.random.default_rng(7)
    noisy = np.clip(clean + rng.normal(0, sigma, clean.shape) + 0.5, 0, 255).astype(np.uint8)
    return clean, Image.from_array(noisy)


def _as_denoiser(fn: Callable[[np.ndarray], np.ndarray]) -> Callable[[Image], Awaitable[Image]]:
    async def run(image: Image) -> Image:
        return Image.from_array(fn(image.array()))

    return run


def test_sure_risk_of_identity_and_constant_outputs():
    _clean, noisy = _noisy_flat_photo(10.0)
    sigma = noise_sigma(noisy.array())
    # Keeping the input: no residual, divergence 1 → 2σ̂².
    identity = asyncio.run(denoising_risk(_as_denoiser(lambda x: x), noisy))
    assert identity == pytest.approx(2 * sigma**2, rel=0.05)
    # A constant image: divergence 0 → the residual alone.
    y = noisy.array().astype(np.float64)
    flat = asyncio.run(denoising_risk(_as_denoiser(lambda x: np.full_like(x, 128)), noisy))
    assert flat == pytest.approx(float(np.mean((y - 128) ** 2)), rel=1e-6)


def test_sure_risk_orders_denoisers_like_their_true_error():
    clean, noisy = _noisy_flat_photo(15.0)
    blurs = {s: _as_denoiser(lambda x, s=s: cv2.GaussianBlur(x, (0, 0), s)) for s in (0.6, 1.0, 4.0)}
    risks = {s: asyncio.run(denoising_risk(d, noisy)) for s, d in blurs.items()}
    errors = {
        s: float(np.mean((cv2.GaussianBlur(noisy.array(), (0, 0), s).astype(np.float64) - clean) ** 2))
        for s in blurs
    }
    assert sorted(risks, key=risks.__getitem__) == sorted(errors, key=errors.__getitem__)
    assert min(risks, key=risks.__getitem__) == 1.0  # too little and too much smoothing both lose
    # Less σ̂², the risk is an estimate of the error itself (white noise: SURE's own setting).
    sigma2 = noise_sigma(noisy.array()) ** 2
    for s, risk in risks.items():
        assert abs(risk - sigma2 - errors[s]) < 0.25 * errors[s] + 5.0


def test_a_denoising_step_caps_fidelity_by_the_risk_ratio():
    _clean, noisy = _noisy_flat_photo(15.0)
    base = quality_score(noisy, noisy, fidelity_weight=0.5)
    best, worse, unscored = with_risk_ratios(
        [base.model_copy(update={"risk": 10.0}), base.model_copy(update={"risk": 25.0}), base],
        fidelity_weight=0.5,
    )
    assert worse.fidelity == pytest.approx(min(base.fidelity, 0.4))
    assert worse.score == pytest.approx(0.5 * worse.fidelity + 0.5 * base.perception)
    assert best.score == pytest.approx(base.score)  # the lowest risk: ratio 1
    assert unscored == base  # no risk, no cap
