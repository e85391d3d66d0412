"""IQA metrics agree with their reference implementations.

NIQE vs scikit-video's own `niqe()` (run here with the two shims it needs on current numpy/scipy:
`np.int` and PIL-backed `scipy.misc.imresize`, exactly what the removed function did);
BRISQUE vs the `brisque` package's own feature code + libsvm prediction (its `score()` only fails at
the final float conversion on numpy 2.4, so the features are flattened before scoring).
Measured agreement on astronaut / chelsea / coffee / camera: NIQE within 0.01, BRISQUE within 0.005.
"""

from __future__ import annotations

import numpy as np
import pytest
import skimage.data

from goalgraph.tools.image import Image, iqa

PHOTOS = ["astronaut", "chelsea", "coffee", "camera", "chelsea+noise"]


def _rgb(name: str) -> np.ndarray:
    """A scikit-image photo as RGB; `+noise` adds Gaussian noise σ 15 (seed 0), a degraded case."""
    base, _, noise = name.partition("+")
    img = getattr(skimage.data, base)()
    rgb = np.stack([img] * 3, -1) if img.ndim == 2 else img
    if noise:
        rgb = np.clip(rgb + np.random.default_rng(0).normal(0, 15, rgb.shape), 0, 255).astype(np.uint8)
    return rgb


@pytest.fixture(scope="module")
def skvideo_niqe(monkeypatch_module=None):
    import scipy.misc
    from PIL import Image as PILImage

    def imresize(img, size, interp="bicubic", mode="F"):
        h, w = img.shape
        pil = PILImage.fromarray(img.astype(np.float32), mode="F")
        return np.asarray(pil.resize((int(w * size), int(h * size)), PILImage.Resampling.BICUBIC))

    patches = {"misc": (scipy.misc, "imresize", imresize), "np": (np, "int", int)}
    saved = {k: getattr(mod, attr, None) for k, (mod, attr, _) in patches.items()}
    for mod, attr, value in patches.values():
        setattr(mod, attr, value)
    import skvideo.measure

    yield skvideo.measure.niqe
    for key, (mod, attr, _) in patches.items():
        if saved[key] is None:
            delattr(mod, attr)
        else:
            setattr(mod, attr, saved[key])


@pytest.mark.parametrize("name", PHOTOS)
def test_niqe_matches_scikit_video(name, skvideo_niqe):
    rgb = _rgb(name)
    reference = float(skvideo_niqe(iqa.luminance(rgb)[None].astype(np.float32))[0])
    assert iqa.niqe(rgb) == pytest.approx(reference, abs=0.02)


@pytest.mark.parametrize("name", PHOTOS)
def test_brisque_matches_reference_package(name):
    import cv2
    import skimage.color
    from brisque import BRISQUE

    ref = BRISQUE()
    gray = skimage.color.rgb2gray(_rgb(name))
    feats = np.concatenate(
        [
            ref.calculate_brisque_features(gray, 7, 7 / 6),
            ref.calculate_brisque_features(
                cv2.resize(gray, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_CUBIC), 7, 7 / 6
            ),
        ]
    )
    flat = np.array([float(np.asarray(f).ravel()[0]) for f in feats], dtype=object)
    reference = ref.calculate_image_quality_score(flat)
    assert iqa.brisque(_rgb(name)) == pytest.approx(reference, abs=0.02)


@pytest.mark.parametrize("name", ["coffee", "chelsea+noise"])
def test_piqe_is_the_reference_port(name):
    from pypiqe import piqe as reference_piqe

    assert iqa.piqe(_rgb(name)) == pytest.approx(float(reference_piqe(_rgb(name))[0]), abs=1e-9)


def test_piqe_psnr_ssim_and_ordering():
    from skimage.metrics import peak_signal_noise_ratio

    rgb = _rgb("chelsea")
    noisy = np.clip(rgb + np.random.default_rng(0).normal(0, 20, rgb.shape), 0, 255).astype(np.uint8)
    y_ref, y_noisy = iqa._ycbcr_y(rgb), iqa._ycbcr_y(noisy)
    assert iqa.psnr_y(noisy, rgb) == pytest.approx(
        peak_signal_noise_ratio(y_ref, y_noisy, data_range=255), abs=1e-6
    )
    assert iqa.psnr_y(rgb, rgb) == float("inf") and iqa.ssim_y(rgb, rgb) == pytest.approx(1.0)
    assert iqa.ssim_y(noisy, rgb) < 0.8
    clean, bad = iqa.no_reference(Image.from_array(rgb)), iqa.no_reference(Image.from_array(noisy))
    assert bad.niqe > clean.niqe and bad.brisque > clean.brisque and bad.piqe > clean.piqe
    small = iqa.no_reference(Image.from_array(rgb[:40, :40]))  # enlarged internally, still finite
    assert np.isfinite([small.niqe, small.brisque, small.piqe]).all()
    with pytest.raises(ValueError, match="differ in size"):
        iqa.psnr_y(rgb[:10], rgb)
