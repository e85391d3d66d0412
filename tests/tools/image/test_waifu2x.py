"""The waifu2x photo experts with the real ncnn models: exact tiling, SR beats bicubic on a photo, the
denoising levels remove noise, and each pass's level follows the measured noise σ."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import PIL.Image
import pytest
import skimage.data

from goalgraph.tools.image import Image, iqa
from goalgraph.tools.image._ncnn_sr import run_sr_model
from goalgraph.tools.image._waifu2x import LEVEL_TABLE, denoise, levels_for, photo_model, upscale
from goalgraph.tools.image.experts import experts_for

HR = np.ascontiguousarray(skimage.data.coffee()[100:228, 200:328])  # 128 px: cup rim, saucer, beans
# The classical SR degradation (antialiased bicubic ½, PIL's), the one waifu2x was trained on.
LR = np.asarray(PIL.Image.fromarray(HR).resize((64, 64), PIL.Image.Resampling.BICUBIC))


def _noisy(pixels: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0, sigma, pixels.shape)
    return np.clip(pixels + noise + 0.5, 0, 255).astype(np.uint8)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return iqa.psnr_y(Image.from_array(a), b)


def test_tiles_join_exactly_and_borders_are_kept():
    pixels = np.ascontiguousarray(np.tile(LR, (1, 2, 1))[:50, :110])
    whole = run_sr_model(photo_model(1), pixels)
    tiled = run_sr_model(dataclasses.replace(photo_model(1), tile=24), pixels)
    assert whole.shape == (100, 220, 3)
    # The 7 px margin is the network's whole receptive field: tiling changes nothing but float rounding.
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 1
    # A 1×1 input still goes through (the replicated border feeds the unpadded convolutions).
    assert run_sr_model(photo_model(None), LR[:1, :1].copy()).shape == (2, 2, 3)


def test_photo_sr_beats_bicubic_on_a_clean_photo():
    sr = upscale(LR, (None,))
    bicubic = cv2.resize(LR, (128, 128), interpolation=cv2.INTER_CUBIC)
    assert sr.shape == HR.shape
    assert _psnr(sr, HR) > _psnr(bicubic, HR) + 1.0


def test_denoising_levels_remove_noise_and_a_higher_level_removes_more():
    noisy = _noisy(HR, 20)
    light, strong = denoise(noisy, 0), denoise(noisy, 3)
    assert light.shape == HR.shape
    assert _psnr(strong, HR) > _psnr(light, HR) > _psnr(noisy, HR)
    assert _psnr(strong, HR) > _psnr(noisy, HR) + 2.5


def test_levels_rise_with_the_measured_noise():
    sigmas = [0.5, 3, 5, 8, 12, 20, 40]
    firsts = [levels_for(s)[0] for s in sigmas]
    ranks = [-1 if level is None else level for level in firsts]
    assert ranks == sorted(ranks) and ranks[0] < ranks[-1]
    assert len(levels_for(10.0, 1)) == 1 and len(levels_for(10.0, 3)) == 3
    assert LEVEL_TABLE[-1][0] == float("inf")
    with pytest.raises(ValueError, match="noise level"):
        photo_model(4)


def test_the_sr_expert_picks_a_stronger_level_for_a_noisy_input_and_wins():
    [expert] = [e for e in experts_for("super-resolution") if e.name == "waifu2x_photo_x4"]
    assert "fidelity" in expert.tags and "perception" not in expert.tags
    small = LR[::2, ::2].copy()
    noisy = _noisy(small, 15, seed=1)
    out = expert.call(Image.from_array(noisy)).array()
    plain = upscale(noisy, (None, None))  # the same network without denoising
    assert out.shape == HR.shape
    assert _psnr(out, HR) > _psnr(plain, HR) + 1.0
