"""Degradation estimators: noise level, blur, JPEG blockiness, haze, low light, rain streaks.

    from goalgraph.tools.image import Image, degradation
    m = degradation.measure(Image.open("photo.png"))   # DegradationMeasures(noise_sigma=7.9, blur=0.41, ...)

Each number is a physical or standard measure, so the perception agent's thresholds mean something:
noise σ in 8-bit grey levels (wavelet MAD, scikit-image), blur as the Crété-Roffet blur effect
(scikit-image, 0 sharp … 1 flat), JPEG blockiness as the ratio of gradients on 8-px block borders to
those inside blocks (1 = no grid), haze as the mean dark channel (He et al.), low light as mean luma.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ._image import Image
from .iqa import luminance

__all__ = [
    "DegradationMeasures",
    "blockiness",
    "blur_anisotropy",
    "dark_channel",
    "measure",
    "noise_sigma",
    "rain_streaks",
]


class DegradationMeasures(BaseModel):
    """Measured degradation indicators of one image."""

    model_config = ConfigDict(frozen=True)

    width: int = Field(description="Width in pixels.")
    height: int = Field(description="Height in pixels.")
    noise_sigma: float = Field(description="Estimated Gaussian noise σ in 8-bit grey levels (0 = clean).")
    blur: float = Field(description="Crété-Roffet blur effect, 0 (sharp) … 1 (completely blurred).")
    blur_anisotropy: float = Field(
        description="0 = isotropic (defocus-like) … 1 = one direction (motion-like)."
    )
    blockiness: float = Field(
        description="8×8 JPEG grid strength: border/interior gradient ratio (1 = none)."
    )
    haze: float = Field(description="Mean dark channel in 0..1 (clear outdoor scenes ≈ 0.1, hazy > 0.35).")
    brightness: float = Field(description="Mean luma in 0..1 (low light < 0.25).")
    rain: float = Field(description="Fraction of pixels on thin bright near-vertical streaks (0 = none).")


def noise_sigma(pixels: np.ndarray) -> float:
    """Gaussian noise σ (grey levels) by scikit-image's wavelet MAD estimator, averaged over RGB channels.

    Per channel, not on luma: luma averages independent channel noise and would report ~0.67 σ.
    """
    from skimage.restoration import estimate_sigma

    if pixels.ndim == 2:
        return float(estimate_sigma(pixels.astype(np.float64), channel_axis=None))
    return float(estimate_sigma(pixels.astype(np.float64), channel_axis=-1, average_sigmas=True))


def blockiness(gray: np.ndarray) -> float:
    """Mean |horizontal and vertical step| across 8-px block borders divided by the mean step elsewhere."""
    # No library measures the JPEG grid; this is the classic boundary/interior difference ratio.
    g = gray.astype(np.float64)
    dx = np.abs(np.diff(g, axis=1))
    dy = np.abs(np.diff(g, axis=0))
    if dx.shape[1] < 16 or dy.shape[0] < 16:
        return 1.0
    border_x = dx[:, 7::8].mean()
    border_y = dy[7::8, :].mean()
    mask_x = np.ones(dx.shape[1], bool)
    mask_x[7::8] = False
    mask_y = np.ones(dy.shape[0], bool)
    mask_y[7::8] = False
    inner = (dx[:, mask_x].mean() + dy[mask_y, :].mean()) / 2 + 1e-6
    return float((border_x + border_y) / 2 / inner)


def dark_channel(rgb01: np.ndarray, size: int = 15) -> np.ndarray:
    """He et al.'s dark channel: per-pixel min over RGB, then a `size`×`size` minimum filter."""
    import cv2

    return cv2.erode(rgb01.min(axis=2).astype(np.float32), np.ones((size, size), np.uint8))


def blur_anisotropy(gray: np.ndarray) -> float:
    """1 − λmin/λmax of the global gradient structure tensor (motion blur leaves one weak direction)."""
    import cv2

    g = gray.astype(np.float32)
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    tensor = np.array([[np.mean(gx * gx), np.mean(gx * gy)], [np.mean(gx * gy), np.mean(gy * gy)]])
    low, high = np.linalg.eigvalsh(tensor)
    return float(0.0 if high <= 0 else 1.0 - low / high)


def rain_streaks(gray: np.ndarray, sigma: float = 0.0) -> float:
    """Fraction of pixels on thin bright near-vertical streaks (grey levels 0..255, noise σ `sigma`)."""
    import cv2

    # A white top-hat with a 3-px-wide element keeps features narrower than 3 px; an opening with a
    # 7-px-tall element then keeps only the tall ones. The contrast bar scales with the noise (3σ), so
    # noise speckle that happens to line up is not read as rain.
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 1))
    tophat = cv2.morphologyEx(gray.astype(np.float32), cv2.MORPH_TOPHAT, kernel)
    bright = (tophat > max(12.0, 3.0 * sigma)).astype(np.uint8)
    streak = cv2.morphologyEx(bright, cv2.MORPH_OPEN, np.ones((7, 1), np.uint8))
    return float(streak.mean())


def measure(image: Image) -> DegradationMeasures:
    """All estimators on one image (large images are measured on a ≤1024 px area downscale, except blockiness)."""
    import cv2
    from skimage.measure import blur_effect

    rgb = image.array()
    gray_full = luminance(rgb)
    small = rgb
    if max(rgb.shape[:2]) > 1024:
        factor = 1024 / max(rgb.shape[:2])
        small = cv2.resize(rgb, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    gray = luminance(small)
    sigma = noise_sigma(rgb if max(rgb.shape[:2]) <= 2048 else small)
    return DegradationMeasures(
        width=image.width,
        height=image.height,
        noise_sigma=sigma,
        blur=float(blur_effect(gray / 255.0)),
        blur_anisotropy=blur_anisotropy(gray),
        blockiness=blockiness(gray_full),
        haze=float(dark_channel(small.astype(np.float32) / 255.0).mean()),
        brightness=float(gray.mean() / 255.0),
        rain=rain_streaks(gray, sigma),
    )
