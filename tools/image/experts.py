"""Restoration experts: typed tools `Image → Image`, each tagged with the 4KAgent task it serves.

    from goalgraph.tools.image import experts
    for expert in experts.experts_for("denoising"):
        restored = expert.call(image)                 # Image in, Image out (pixels stay in the cache)

Tasks (the paper's subtask names): super-resolution (×4), super-resolution_2x, denoising, motion
deblurring, defocus deblurring, dehazing, deraining, brightening, jpeg compression artifact removal,
face restoration. Extra tags: `fidelity` / `perception` (which SR preference's toolbox an SR expert is
in), `baseline` (interpolation and back-projection: in neither toolbox — as in the paper, whose Fidelity
toolbox holds PSNR-trained networks only — but run by the benchmark as fixed chains), `slow` (left out
by Fast4K on large inputs), `network` (a learned model).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from goalgraph.tools import Tool, tool

from . import _classic as c
from . import _srmd as srmd
from . import _waifu2x as w2x
from ._image import Image, cache_pixels
from ._ncnn_sr import SRModel, run_sr_model
from .degradation import noise_sigma

__all__ = ["EXPERTS", "TASKS", "experts_for", "make_expert"]

TASKS: tuple[str, ...] = (
    "super-resolution",
    "super-resolution_2x",
    "denoising",
    "motion deblurring",
    "defocus deblurring",
    "dehazing",
    "deraining",
    "brightening",
    "jpeg compression artifact removal",
    "face restoration",
)
"""Every task an expert can serve, in the paper's naming."""


def make_expert(
    name: str,
    task: str,
    function: Callable[[np.ndarray], np.ndarray],
    description: str,
    *,
    tags: tuple[str, ...] = (),
) -> Tool[Image, Image]:
    """Wrap an array function (H×W×3 uint8 → H×W×3 uint8) as a typed expert tool tagged with `task`."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")

    def run(image: Image) -> Image:
        out = function(image.array())
        if out.dtype != np.uint8 or out.ndim != 3 or out.shape[2] != 3:
            raise ValueError(
                f"expert {name} returned {out.dtype} array of shape {out.shape}, not H×W×3 uint8"
            )
        return cache_pixels(np.ascontiguousarray(out))

    run.__name__ = name.replace("-", "_")
    return tool(
        name=name, description=description, tags=(task, *tags), rerunnable=True, produces=(f"done:{task}",)
    )(run)


def _blur_size(rgb8: np.ndarray) -> float:
    from skimage.measure import blur_effect

    # Crété-Roffet blur ≈ 0.25 for sharp photos, ≈ 0.5 for σ≈2 px defocus: map linearly to a PSF size.
    return float(np.clip((blur_effect(rgb8.mean(axis=2) / 255.0) - 0.22) * 9.0, 0.6, 3.0))


def _sr_net(model: str, scale: int, down_to: int | None = None) -> Callable[[np.ndarray], np.ndarray]:
    def run(rgb8: np.ndarray) -> np.ndarray:
        out = run_sr_model(SRModel(model, scale), rgb8)
        if down_to is not None and down_to != scale:
            out = c.resize(out, down_to / scale, "area")
        return out

    return run


def _waifu2x_sr(passes: int) -> Callable[[np.ndarray], np.ndarray]:
    def run(rgb8: np.ndarray) -> np.ndarray:
        # The noise level of each pass comes from the input's measured σ (see `_waifu2x.levels_for`).
        return w2x.upscale(rgb8, w2x.levels_for(noise_sigma(rgb8), passes))

    return run


def _srmd_sr(scale: int) -> Callable[[np.ndarray], np.ndarray]:
    def run(rgb8: np.ndarray) -> np.ndarray:
        # The noise level handed to the network comes from the input's measured σ (`_srmd.level_for`).
        return srmd.upscale(rgb8, scale, srmd.level_for(noise_sigma(rgb8)))

    return run


def _waifu2x_denoise(floor: int) -> Callable[[np.ndarray], np.ndarray]:
    def run(rgb8: np.ndarray) -> np.ndarray:
        level = w2x.levels_for(noise_sigma(rgb8), 1)[0]
        # A denoising step was asked for, so at least level `floor` even where σ reads low.
        return w2x.denoise(rgb8, max(floor, -1 if level is None else level))

    return run


def _anime4k(scale: float) -> Callable[[np.ndarray], np.ndarray]:
    def run(rgb8: np.ndarray) -> np.ndarray:
        from pyanime4k import pyac

        processor = pyac.core.Processor("cpu", 0, "acnet-hdn0")
        return np.asarray(processor(np.ascontiguousarray(rgb8), float(scale)), dtype=np.uint8)

    return run


def _registry() -> list[Tool[Image, Image]]:
    e = make_expert
    return [
        # super-resolution ×4
        e(
            "realesrgan_x4plus",
            "super-resolution",
            _sr_net("realesrgan-x4plus", 4),
            "Real-ESRGAN x4plus (ncnn, CPU): blind ×4 GAN SR that also removes noise, blur and JPEG artefacts.",
            tags=("perception", "network", "slow"),
        ),
        e(
            "realesr_animevideov3_x4",
            "super-resolution",
            _sr_net("realesr-animevideov3-x4", 4),
            "Real-ESRGAN animevideov3 ×4 (ncnn, CPU): small fast network with crisp edges.",
            tags=("perception", "fidelity", "network"),
        ),
        e(
            "anime4k_x4",
            "super-resolution",
            _anime4k(4.0),
            "Anime4K ACNet ×4 (pyanime4k, CPU).",
            tags=("perception", "network"),
        ),
        e(
            "waifu2x_photo_x4",
            "super-resolution",
            _waifu2x_sr(2),
            "waifu2x upconv_7 photo ×2 twice (ncnn, CPU): MSE-trained photo SR whose noise level (JPEG "
            "and noise removal, 0–3) per pass follows the measured noise σ.",
            tags=("fidelity", "network"),
        ),
        e(
            "srmd_x4",
            "super-resolution",
            _srmd_sr(4),
            "SRMD ×4 (ncnn, CPU): MSE-trained non-blind SR for blurred, noisy inputs; its noise-level "
            "input follows the measured noise σ.",
            tags=("fidelity", "network"),
        ),
        e(
            "ibp_x4",
            "super-resolution",
            lambda x: c.ibp_upscale(x, 4),
            "Iterative back-projection ×4 from Lanczos: reconstruction-consistent classical SR.",
            tags=("baseline",),
        ),
        e(
            "lanczos_x4",
            "super-resolution",
            lambda x: c.resize(x, 4, "lanczos"),
            "Lanczos ×4 (OpenCV).",
            tags=("baseline",),
        ),
        e(
            "bicubic_x4",
            "super-resolution",
            lambda x: c.resize(x, 4, "bicubic"),
            "Bicubic ×4 (OpenCV) baseline.",
            tags=("baseline",),
        ),
        # super-resolution ×2
        e(
            "realesrgan_x4plus_x2",
            "super-resolution_2x",
            _sr_net("realesrgan-x4plus", 4, down_to=2),
            "Real-ESRGAN x4plus then area ×0.5: blind ×2 GAN SR with degradation removal.",
            tags=("perception", "network", "slow"),
        ),
        e(
            "realesr_animevideov3_x2",
            "super-resolution_2x",
            _sr_net("realesr-animevideov3-x2", 2),
            "Real-ESRGAN animevideov3 ×2 (ncnn, CPU).",
            tags=("perception", "fidelity", "network"),
        ),
        e(
            "anime4k_x2",
            "super-resolution_2x",
            _anime4k(2.0),
            "Anime4K ACNet ×2 (pyanime4k, CPU).",
            tags=("perception", "network"),
        ),
        e(
            "waifu2x_photo_x2",
            "super-resolution_2x",
            _waifu2x_sr(1),
            "waifu2x upconv_7 photo ×2 (ncnn, CPU), noise level from the measured σ.",
            tags=("fidelity", "network"),
        ),
        e(
            "srmd_x2",
            "super-resolution_2x",
            _srmd_sr(2),
            "SRMD ×2 (ncnn, CPU), noise level from the measured σ.",
            tags=("fidelity", "network"),
        ),
        e(
            "ibp_x2",
            "super-resolution_2x",
            lambda x: c.ibp_upscale(x, 2),
            "Iterative back-projection ×2.",
            tags=("baseline",),
        ),
        e(
            "lanczos_x2",
            "super-resolution_2x",
            lambda x: c.resize(x, 2, "lanczos"),
            "Lanczos ×2 (OpenCV).",
            tags=("baseline",),
        ),
        e(
            "bicubic_x2",
            "super-resolution_2x",
            lambda x: c.resize(x, 2, "bicubic"),
            "Bicubic ×2 (OpenCV).",
            tags=("baseline",),
        ),
        # denoising
        e(
            "nlmeans_cv",
            "denoising",
            c.nlmeans,
            "OpenCV fast non-local means (colour), h from the estimated σ.",
        ),
        e(
            "dct_xphoto",
            "denoising",
            c.dct_denoise,
            "OpenCV xphoto sliding DCT denoising at the estimated σ.",
        ),
        e(
            "waifu2x_photo_denoise",
            "denoising",
            _waifu2x_denoise(0),
            "waifu2x photo denoising ×2 at the level for the measured σ, then area ½ (ncnn, CPU).",
            tags=("network",),
        ),
        e("tv_chambolle", "denoising", c.tv_denoise, "scikit-image total-variation (Chambolle) denoising."),
        e(
            "wavelet_bayes",
            "denoising",
            c.wavelet_denoise,
            "scikit-image BayesShrink wavelet denoising (YCbCr).",
        ),
        # motion deblurring
        e(
            "rl_motion",
            "motion deblurring",
            lambda x: c.rl_deconvolve(x, "line", 2 * _blur_size(x) + 3),
            "Richardson–Lucy (torch) with a line PSF along the estimated blur direction.",
        ),
        e(
            "wiener_motion",
            "motion deblurring",
            lambda x: c.wiener_deconvolve(x, "line", 2 * _blur_size(x) + 3),
            "scikit-image Wiener deconvolution with a line PSF along the estimated blur direction.",
        ),
        e(
            "unsharp_motion",
            "motion deblurring",
            lambda x: c.unsharp(x, 2.0, 1.0),
            "Unsharp masking (σ 2, amount 1).",
        ),
        # defocus deblurring
        e(
            "rl_defocus",
            "defocus deblurring",
            lambda x: c.rl_deconvolve(x, "gaussian", _blur_size(x)),
            "Richardson–Lucy (torch) with a Gaussian PSF sized from the blur estimate.",
        ),
        e(
            "wiener_defocus",
            "defocus deblurring",
            lambda x: c.wiener_deconvolve(x, "gaussian", _blur_size(x)),
            "scikit-image Wiener deconvolution with a Gaussian PSF.",
        ),
        e(
            "unsharp_defocus",
            "defocus deblurring",
            lambda x: c.unsharp(x, 1.5, 0.8),
            "Unsharp masking (σ 1.5).",
        ),
        # dehazing
        e(
            "dark_channel_prior",
            "dehazing",
            c.dark_channel_dehaze,
            "He et al. dark channel prior with guided-filter transmission refinement.",
        ),
        e("clahe_dehaze", "dehazing", lambda x: c.clahe(x, 3.0), "CLAHE on Lab lightness (clip 3)."),
        # deraining
        e(
            "guided_derain",
            "deraining",
            c.guided_derain,
            "Guided-filter base/detail split with streak clipping.",
        ),
        e("median_derain", "deraining", c.median_derain, "Cross-streak median filtering."),
        # brightening
        e("gamma_brighten", "brightening", c.gamma_brighten, "Adaptive global gamma to mean luma 0.45."),
        e("retinex_brighten", "brightening", c.retinex_brighten, "Multi-scale Retinex on luminance."),
        e(
            "clahe_brighten",
            "brightening",
            lambda x: c.clahe(c.gamma_brighten(x, 0.4), 2.0),
            "Gamma to mean luma 0.4, then CLAHE.",
        ),
        # JPEG artefacts
        e(
            "dct_dejpeg",
            "jpeg compression artifact removal",
            lambda x: c.dct_denoise(x, 6.0),
            "xphoto DCT denoising at σ 6 (smooths 8×8 block edges).",
        ),
        e(
            "waifu2x_photo_dejpeg",
            "jpeg compression artifact removal",
            _waifu2x_denoise(1),
            "waifu2x photo JPEG/noise removal ×2 (level ≥ 1, higher with the measured σ), then area ½.",
            tags=("network",),
        ),
        e(
            "bilateral_dejpeg",
            "jpeg compression artifact removal",
            lambda x: __import__("cv2").bilateralFilter(x, 5, 25, 3),
            "OpenCV bilateral filter deblocking.",
        ),
        e(
            "tv_dejpeg",
            "jpeg compression artifact removal",
            lambda x: c.tv_denoise(x, 0.5) if x.size else x,
            "scikit-image TV smoothing at a light weight.",
        ),
        # face restoration (applied to face crops)
        e(
            "face_nlmeans_sharpen",
            "face restoration",
            lambda x: c.unsharp(c.nlmeans(x, 0.7), 1.0, 0.6),
            "Light non-local means then unsharp masking on the face crop.",
        ),
        e(
            "face_bilateral_clahe",
            "face restoration",
            lambda x: c.clahe(__import__("cv2").bilateralFilter(x, 5, 20, 3), 1.5),
            "Bilateral smoothing then mild CLAHE on the face crop.",
        ),
        e(
            "face_guided",
            "face restoration",
            lambda x: c.unsharp(
                c._u8(__import__("cv2").ximgproc.guidedFilter(c._f32(x), c._f32(x), 3, 1e-3)), 1.0, 0.5
            ),
            "Guided-filter skin smoothing with edge-preserving sharpening.",
        ),
    ]


EXPERTS: tuple[Tool[Image, Image], ...] = tuple(_registry())
"""All built-in experts."""


def experts_for(
    task: str, *, require: tuple[str, ...] = (), exclude: tuple[str, ...] = ()
) -> list[Tool[Image, Image]]:
    """The built-in experts serving `task`, optionally only those with all `require` tags and none of `exclude`."""
    if task not in TASKS:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)}")
    return [t for t in EXPERTS if task in t.tags and set(require) <= t.tags and not set(exclude) & t.tags]
