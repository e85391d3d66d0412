"""The Q-MoE quality score that picks one expert's output per step (0 = ruined … 1 = excellent).

    from goalgraph.agents.fourk.scoring import quality_score
    s = quality_score(candidate, step_input, fidelity_weight=0.7)   # QualityScore(score=0.78, ...)

score = w · fidelity + (1 − w) · perception, with w = the profile's fidelity weight (0.5 for Fidelity,
0.2 for Perception profiles); about 0..1 (a very poor image can score slightly below 0).

- perception: mean of three no-reference terms, higher is better: 1 − NIQE/25 (capped at 1, not
  floored), 1 − BRISQUE/100 and 1 − PIQE/100 (clipped to 0..1). The paper's metric score has the term
  1 − NIQE/10 with pyiqa's NIQE, linear and unclipped, averaged with learned metrics (CLIPIQA+, MANIQA,
  MUSIQ) that need weights no wheel ships; scikit-video's NIQE used here reads ≈ 2–3× higher than the
  MATLAB/pyiqa values SR papers report (those are ≈ 3–5 on sharp photos; 8–12 here), hence /25. Keeping it linear and unfloored matters: a saturating map
  (10 / (10 + NIQE) was tried) let BRISQUE/PIQE outvote a NIQE of 42 vs 34. Measured in
  `docs/agents/fourk.md` (the change was checked on held-out photos; divisors 10–45 behave alike).
- fidelity: how well the candidate keeps the step input's content. Both images are brought to the
  input's size (area downscale), low-passed with a Gaussian (σ = 1.5 px, so removing noise or JPEG
  grid is not penalised while moved edges, colour shifts and hallucinated structure are), and compared
  by PSNR, mapped 20 dB → 0 … 40 dB → 1 (a ruined or shifted output scores 0; over-smoothing that
  erases structure visible at σ = 1.5 px costs fidelity; removing pixel-level noise does not).
  Super-resolution candidates are compared after a σ = 3 px low-pass (`SR_FIDELITY_SIGMA`): their job
  is to replace everything finer than the input's grid, and at 1.5 px an exact re-projection (IBP,
  which puts the input's noise and JPEG texture back) outscored learned SR on every noisy input, so
  ExpSR-s4-F fell to bicubic's PSNR. At 3 px only the structure an SR output must keep is compared.
- denoising steps add an estimate of each candidate's error against the clean image: Monte-Carlo
  SURE (Stein's unbiased risk estimate, Ramani–Blu–Unser 2008), from the residual and one extra
  expert call on the input plus a ±3 grey-level random probe (`denoising_risk`). A candidate's
  fidelity is then min(low-pass fidelity, lowest risk in the step / its risk). Why: at σ = 1.5 px the
  low-pass fidelity of every reasonable denoiser saturates at 1 (the median candidate on the
  calibration photos), so the no-reference terms alone chose the denoiser, and they prefer smoother
  outputs; the SURE ratio ranks denoisers by their estimated error. Measured by
  `benchmarks/fourk_qmoe_denoise.py` (results in `docs/results/fourk_qmoe_denoise.json`) on the
  calibration photos of `benchmarks/fourk_waifu2x_levels.py` (30 degradations; the probe size, 1 or 3,
  chosen there), then a held-out set (20) and the benchmark's photos under other noise seeds (12),
  PSNR-Y after ×4 by waifu2x / animevideov3: calibration 28.37/28.37 → 28.58/28.51 dB, held-out
  29.91/29.70 → 29.92/29.98, benchmark photos 27.29/27.05 → 27.54/27.21 (fidelity weight 0.5). No
  library scores an arbitrary black-box denoiser with one extra call (scikit-image's J-invariant
  calibration needs a call per mask, 16 here), hence `denoising_risk`.
  Fidelity profiles go further and rank denoisers by the risk alone (`restoration.Restorer`): with the
  fused SR step after it that beat the capped score on all three sets (docs/agents/fourk.md).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from goalgraph.tools.image import Image
from goalgraph.tools.image.iqa import IQAScores, no_reference

__all__ = [
    "FIDELITY_SIGMA",
    "NIQE_SCALE",
    "SR_FIDELITY_SIGMA",
    "SURE_PROBE",
    "QualityScore",
    "denoising_risk",
    "fidelity",
    "perception",
    "quality_score",
    "with_risk_ratios",
]


class QualityScore(BaseModel):
    """One candidate's score and its parts."""

    model_config = ConfigDict(frozen=True)

    score: float = Field(description="Weighted total, about 0..1 (higher is better).")
    fidelity: float = Field(description="Low-pass consistency with the step input, 0..1.")
    perception: float = Field(description="Mapped no-reference quality, about 0..1.")
    iqa: IQAScores = Field(description="The raw NIQE / BRISQUE / PIQE values.")
    risk: float | None = Field(
        default=None,
        description="Denoising steps: the SURE risk estimate per pixel (lower is better; None elsewhere).",
    )


FIDELITY_SIGMA = 1.5
"""Low-pass (input px) before the fidelity comparison of restoration steps other than SR."""

SR_FIDELITY_SIGMA = 3.0
"""Low-pass (input px) before the fidelity comparison of super-resolution candidates (see module doc)."""

SURE_PROBE = 3.0
"""Size (grey levels) of the random ±probe of the SURE divergence estimate (see module docstring)."""

SURE_MAX_SIDE = 384
"""Larger step inputs are scored on their centre crop of this side (both SURE calls run on it)."""

NIQE_SCALE = 25.0
"""NIQE value at which the NIQE term reaches 0 (the paper's 10 on pyiqa's scale; see module docstring)."""


def perception(scores: IQAScores) -> float:
    """No-reference quality, about 0..1, from NIQE, BRISQUE and PIQE (see module docstring)."""
    niqe_term = min(1.0, 1.0 - scores.niqe / NIQE_SCALE)
    rest = np.clip((1 - scores.brisque / 100.0, 1 - scores.piqe / 100.0), 0.0, 1.0)
    return float((niqe_term + rest.sum()) / 3.0)


def fidelity(candidate: Image, reference: Image, *, sigma: float = FIDELITY_SIGMA) -> float:
    """Low-pass PSNR consistency of `candidate` with `reference`, mapped 20 dB → 0 … 40 dB → 1."""
    import cv2

    ref = reference.array().astype(np.float32)
    out = candidate.array()
    if out.shape[:2] != ref.shape[:2]:
        out = cv2.resize(out, (ref.shape[1], ref.shape[0]), interpolation=cv2.INTER_AREA)
    a = cv2.GaussianBlur(out.astype(np.float32), (0, 0), sigma)
    b = cv2.GaussianBlur(ref, (0, 0), sigma)
    mse = float(np.mean((a - b) ** 2))
    psnr = 60.0 if mse <= 1e-10 else 10 * np.log10(255.0**2 / mse)
    return float(np.clip((psnr - 20.0) / 20.0, 0.0, 1.0))


def quality_score(
    candidate: Image, step_input: Image, *, fidelity_weight: float, fidelity_sigma: float = FIDELITY_SIGMA
) -> QualityScore:
    """Score one expert output against the image the step started from (`fidelity_sigma`: the low-pass
    of the fidelity term, `SR_FIDELITY_SIGMA` for super-resolution steps)."""
    iqa = no_reference(candidate)
    p = perception(iqa)
    f = fidelity(candidate, step_input, sigma=fidelity_sigma)
    return QualityScore(score=_weighted(f, p, fidelity_weight), fidelity=f, perception=p, iqa=iqa)


def _weighted(fidelity: float, perception: float, fidelity_weight: float) -> float:
    return fidelity_weight * fidelity + (1 - fidelity_weight) * perception


async def denoising_risk(
    denoise: Callable[[Image], Awaitable[Image]],
    noisy: Image,
    *,
    denoised: Image | None = None,
    probe_size: float = SURE_PROBE,
    seed: int = 0,
) -> float:
    """Monte-Carlo SURE + σ̂² of `denoise` at `noisy`, per pixel and channel: ‖y − f(y)‖²/N + 2σ̂²·div f,
    the divergence from one call on y + ε·b (b random ±1, ε = `probe_size`), σ̂ the wavelet estimate of
    the noise. Adding σ̂² keeps it positive (σ̂ of JPEG-smoothed noise reads high, so SURE itself can go
    negative); the Q-MoE uses only ratios within a step. `denoised`: f(y) if already computed (used
    when the image needs no crop)."""
    y8 = noisy.array()
    h, w = y8.shape[:2]
    if max(h, w) > SURE_MAX_SIDE:
        top, left = max(0, (h - SURE_MAX_SIDE) // 2), max(0, (w - SURE_MAX_SIDE) // 2)
        y8 = np.ascontiguousarray(y8[top : top + SURE_MAX_SIDE, left : left + SURE_MAX_SIDE])
        denoised = None
    if denoised is None:
        denoised = await denoise(Image.from_array(y8))
    probe = np.random.default_rng(seed).choice(np.array([-1.0, 1.0]), size=y8.shape)
    probed = np.clip(np.rint(y8 + probe_size * probe), 0, 255).astype(np.uint8)
    f_probed = await denoise(Image.from_array(probed))
    # The wavelet σ̂ and the sums take tens of ms on a large crop: off the event loop, where the step's
    # other experts are running.
    return await asyncio.to_thread(_sure, y8, denoised.array(), f_probed.array(), probe, probe_size)


def _sure(
    y8: np.ndarray, f8: np.ndarray, f_probed8: np.ndarray, probe: np.ndarray, probe_size: float
) -> float:
    from goalgraph.tools.image.degradation import noise_sigma

    if f8.shape != y8.shape or f_probed8.shape != y8.shape:
        raise ValueError(f"a denoiser must keep the image size: {y8.shape} → {f8.shape} / {f_probed8.shape}")
    y, f, f_probed = (a.astype(np.float64) for a in (y8, f8, f_probed8))
    sigma = noise_sigma(y8)
    residual = float(np.mean((y - f) ** 2))
    divergence = float(np.mean(probe * (f_probed - f)) / probe_size)
    return residual + 2.0 * sigma**2 * divergence


def with_risk_ratios(scores: Sequence[QualityScore], *, fidelity_weight: float) -> list[QualityScore]:
    """One step's scores with each fidelity capped at the step's lowest SURE risk / that candidate's risk
    (scores without a risk are returned unchanged)."""
    risks = [s.risk for s in scores if s.risk is not None]
    if not risks:
        return list(scores)
    lowest = min(risks)
    capped = []
    for s in scores:
        if s.risk is not None:
            f = min(s.fidelity, float(np.clip(lowest / max(s.risk, 1e-9), 0.0, 1.0)))
            s = s.model_copy(update={"fidelity": f, "score": _weighted(f, s.perception, fidelity_weight)})
        capped.append(s)
    return capped
