"""Degradation estimators respond to the degradation they measure."""

from __future__ import annotations

import cv2
import numpy as np
import skimage.data

from goalgraph.tools.image import Image
from goalgraph.tools.image.degradation import measure

PHOTO = skimage.data.chelsea()[:256, :256]


def _jpeg(pixels: np.ndarray, quality: int) -> np.ndarray:
    _ok, buf = cv2.imencode(".jpg", pixels, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)


def test_noise_sigma_tracks_planted_noise():
    clean = measure(Image.from_array(PHOTO)).noise_sigma
    noisy = np.clip(PHOTO + np.random.default_rng(0).normal(0, 15, PHOTO.shape), 0, 255).astype(np.uint8)
    estimate = measure(Image.from_array(noisy)).noise_sigma
    assert clean < 5 and 11 < estimate < 19


def test_blockiness_blur_brightness_haze():
    base = measure(Image.from_array(PHOTO))
    assert measure(Image.from_array(_jpeg(PHOTO, 10))).blockiness > base.blockiness + 0.2
    assert measure(Image.from_array(cv2.GaussianBlur(PHOTO, (0, 0), 3))).blur > base.blur + 0.1
    assert measure(Image.from_array((PHOTO * 0.2).astype(np.uint8))).brightness < 0.15
    hazy = (PHOTO * 0.4 + 0.6 * 230).astype(np.uint8)
    assert measure(Image.from_array(hazy)).haze > 0.5 > base.haze
