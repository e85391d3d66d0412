"""The SRMD experts with the real ncnn models: exact tiling, the noise-level input does what it says,
SR beats bicubic on a blurred noisy photo, and the level follows the measured noise σ."""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np
import pytest
import skimage.data

from goalgraph.agents.fourk.evaluation import degrade
from goalgraph.tools.image import Image, iqa
from goalgraph.tools.image._ncnn_sr import run_sr_model
from goalgraph.tools.image._srmd import KERNEL_CODE, LEVEL_TABLE, level_for, model, upscale
from goalgraph.tools.image.experts import experts_for

HR = np.ascontiguousarray(skimage.data.coffee()[80:272, 180:372])  # 192 px: cup rim, saucer, beans


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return iqa.psnr_y(Image.from_array(a), b)


def test_tiles_join_exactly():
    lr = degrade(HR, 1.0, 8.0, 90, seed=0)
    planes = (*KERNEL_CODE, 10 / 255)
    whole = run_sr_model(model(4), lr, planes)
    tiled = run_sr_model(dataclasses.replace(model(4), tile=20), lr, planes)
    assert whole.shape == (192, 192, 3)
    # The 12 px margin is the network's whole receptive field: tiling changes nothing but float rounding.
    assert np.abs(whole.astype(int) - tiled.astype(int)).max() <= 1


def test_a_higher_noise_level_smooths_more():
    lr = degrade(HR, 1.0, 20.0, 90, seed=1)
    rough, smooth = upscale(lr, 4, 0.0), upscale(lr, 4, 30.0)
    assert smooth.shape == rough.shape == HR.shape
    laplacian = [
        float(np.abs(cv2.Laplacian(cv2.cvtColor(x, cv2.COLOR_RGB2GRAY), cv2.CV_64F)).mean())
        for x in (rough, smooth)
    ]
    assert laplacian[1] < 0.7 * laplacian[0]
    assert _psnr(smooth, HR) > _psnr(rough, HR) + 1.0


def test_the_sr_expert_beats_bicubic_on_a_blurred_noisy_photo():
    [expert] = [e for e in experts_for("super-resolution") if e.name == "srmd_x4"]
    assert "fidelity" in expert.tags and "perception" not in expert.tags
    lr = degrade(HR, 1.3, 18.0, 85, seed=2)
    out = expert.call(Image.from_array(lr)).array()
    bicubic = cv2.resize(lr, (192, 192), interpolation=cv2.INTER_CUBIC)
    assert out.shape == HR.shape
    assert _psnr(out, HR) > _psnr(bicubic, HR) + 1.5
    [x2] = [e for e in experts_for("super-resolution_2x") if e.name == "srmd_x2"]
    assert x2.call(Image.from_array(lr)).array().shape == (96, 96, 3)


def test_levels_rise_with_the_measured_noise():
    levels = [level_for(s) for s in (0.2, 1.5, 3, 5, 8, 12, 20, 40)]
    assert levels == sorted(levels)
    assert LEVEL_TABLE[-1][0] == float("inf")
    with pytest.raises(ValueError, match="SRMD scale"):
        model(5)
