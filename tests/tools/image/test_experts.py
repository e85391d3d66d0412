"""Every built-in expert turns a small image into a valid image of the right size."""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data

from goalgraph.tools.image import Image
from goalgraph.tools.image.experts import EXPERTS, TASKS, experts_for

SMALL = Image.from_array(skimage.data.astronaut()[180:228:1, 200:248:1])  # 48×48 with a face edge


def test_every_task_has_enough_experts():
    counts = {task: len(experts_for(task)) for task in TASKS}
    assert all(n >= 2 for n in counts.values()), counts
    assert counts["super-resolution"] >= 3 and counts["super-resolution_2x"] >= 3 and counts["denoising"] >= 3
    assert all(any(task in e.tags for task in TASKS) for e in EXPERTS)


@pytest.mark.parametrize("expert", EXPERTS, ids=lambda e: e.name)
def test_expert_produces_valid_image(expert):
    out = expert.call(SMALL)
    scale = 4 if "super-resolution" in expert.tags else 2 if "super-resolution_2x" in expert.tags else 1
    assert (out.width, out.height) == (SMALL.width * scale, SMALL.height * scale)
    pixels = out.array()
    assert pixels.dtype == np.uint8 and pixels.shape[2] == 3
    assert 5 < pixels.mean() < 250  # not blank
    # Restoration keeps the content: the output, brought back to the input size, correlates with it.
    import cv2

    back = cv2.resize(pixels, (SMALL.width, SMALL.height), interpolation=cv2.INTER_AREA).astype(float)
    assert np.corrcoef(back.ravel(), SMALL.array().astype(float).ravel())[0, 1] > 0.7


def test_unknown_task_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown task 'sharpen'"):
        experts_for("sharpen")


def test_large_input_is_tiled_for_the_network():
    from goalgraph.tools.image._ncnn_sr import SRModel, run_sr_model

    pixels = np.ascontiguousarray(np.tile(SMALL.array(), (1, 2, 1))[:40, :90])
    out = run_sr_model(SRModel("realesr-animevideov3-x2", 2, tile=32, pad=4), pixels)
    whole = run_sr_model(SRModel("realesr-animevideov3-x2", 2, tile=128, pad=4), pixels)
    assert out.shape == (80, 180, 3)
    # Tiles with a context margin join without visible seams.
    assert np.abs(out.astype(int) - whole.astype(int)).mean() < 3


@pytest.mark.gpu
def test_torch_deconvolution_runs_on_cuda():
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA GPU")
    from goalgraph.tools.image import _classic

    out = _classic.rl_deconvolve(SMALL.array(), "gaussian", 1.0)
    assert out.shape == SMALL.array().shape and out.dtype == np.uint8
