"""4KAgent evaluation on scikit-image photos degraded in code: bicubic vs. fixed expert chains vs. 4KAgent.

    from goalgraph.agents.fourk.evaluation import EvalConfig, evaluate
    report = evaluate(EvalConfig(photos=("chelsea",), levels=1))   # {"summary": ..., "images": [...]}

Degradation (fixed seeds): Gaussian blur σ_b on the HR photo → bicubic ×1/4 → Gaussian noise σ_n →
JPEG quality q, at levels (σ_b, σ_n, q) = (1.0, 12, 90), (1.3, 18, 85), (1.6, 25, 80).
Metrics: PSNR / SSIM on the Y channel vs. the original, NIQE of the output, seconds per image.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from goalgraph.tools import Tool
from goalgraph.tools.image import Image, iqa
from goalgraph.tools.image.experts import experts_for

__all__ = ["LEVELS", "EvalConfig", "degrade", "evaluate", "photo"]

LEVELS: tuple[tuple[float, float, int], ...] = ((1.0, 12.0, 90), (1.3, 18.0, 85), (1.6, 25.0, 80))
"""(blur σ in HR px, noise σ in grey levels, JPEG quality) per degradation level."""


class EvalConfig(BaseModel):
    """What to evaluate."""

    model_config = ConfigDict(frozen=True)

    photos: tuple[str, ...] = Field(
        ("astronaut", "chelsea", "coffee", "rocket"), description="scikit-image `data` photo names."
    )
    levels: int = Field(
        default=3, ge=1, le=len(LEVELS), description="How many degradation levels (from the mildest)."
    )
    size: int = Field(default=384, ge=200, description="Side of the centre crop used as the HR original.")
    fidelity_profile: str = Field(default="GenSR-s4-F", description="Profile reported as `fourk_fidelity`.")
    perception_profile: str = Field(
        default="GenSR-s4-P", description="Profile reported as `fourk_perception`."
    )
    extra_profiles: tuple[str, ...] = Field(
        default=("ExpSR-s4-F",), description="Further profiles, reported by name."
    )
    model: str = Field(
        default="local", description="Perception model spec for 4KAgent (`test` skips the LLM's cost)."
    )
    chains: bool = Field(
        default=True, description="Also run every fixed single-expert chain (denoiser × SR, SR alone)."
    )


def degrade(hr: np.ndarray, blur: float, noise: float, quality: int, seed: int) -> np.ndarray:
    """The benchmark's degradation: blur → bicubic ×1/4 → Gaussian noise → JPEG (deterministic by `seed`)."""
    import cv2

    rng = np.random.default_rng(seed)
    x = cv2.GaussianBlur(hr.astype(np.float32), (0, 0), blur)
    h, w = hr.shape[:2]
    x = cv2.resize(x, (w // 4, h // 4), interpolation=cv2.INTER_CUBIC)
    x = np.clip(x + rng.normal(0, noise, x.shape) + 0.5, 0, 255).astype(np.uint8)
    _ok, buf = cv2.imencode(".jpg", cv2.cvtColor(x, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    decoded = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    assert _ok and decoded is not None
    return cv2.cvtColor(decoded, cv2.COLOR_BGR2RGB)


def photo(name: str, size: int) -> np.ndarray:
    """The evaluation's HR image: scikit-image's photo `name` as RGB, its centre square of at most `size`
    px (a multiple of 4, so the x4 degradation divides it evenly)."""
    import skimage.data

    img = getattr(skimage.data, name)()
    if isinstance(img, tuple):  # stereo pairs and the like: the first image
        img = img[0]
    if img.ndim == 2:
        img = np.stack([img] * 3, axis=-1)
    img = img[..., :3]
    h, w = img.shape[:2]
    side = min(size, h, w) // 4 * 4
    y0, x0 = (h - side) // 2, (w - side) // 2
    return np.ascontiguousarray(img[y0 : y0 + side, x0 : x0 + side])


def _metrics(out: Image, hr: np.ndarray, seconds: float) -> dict[str, float]:
    return {
        "psnr": iqa.psnr_y(out, hr),
        "ssim": iqa.ssim_y(out, hr),
        "niqe": iqa.niqe(out),
        "seconds": seconds,
    }


def _timed(tool: Tool[Image, Image], image: Image) -> tuple[Image, float]:
    start = time.perf_counter()
    out = tool.call(image)
    return out, time.perf_counter() - start


def evaluate(config: EvalConfig, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Run every method on every degraded photo; returns `{"summary": {METHOD: metrics}, "images": [...]}`."""
    from .graph import run_fourk

    sr = {t.name: t for t in experts_for("super-resolution")}
    denoisers = {t.name: t for t in experts_for("denoising")}
    images: list[dict[str, Any]] = []
    for name in config.photos:
        hr = photo(name, config.size)
        for level, (blur, noise, quality) in enumerate(LEVELS[: config.levels]):
            lr = Image.from_array(degrade(hr, blur, noise, quality, seed=1000 * level + len(name)))
            row: dict[str, Any] = {
                "photo": name,
                "level": level,
                "blur": blur,
                "noise": noise,
                "jpeg": quality,
                "methods": {},
            }
            out, sec = _timed(sr["bicubic_x4"], lr)
            row["methods"]["bicubic"] = _metrics(out, hr, sec)
            if config.chains:
                sr_out = {sr_name: _timed(tool, lr) for sr_name, tool in sr.items()}
                for sr_name, (img, sec) in sr_out.items():
                    row["methods"][sr_name] = _metrics(img, hr, sec) | {"chain": True}
                for dname, dtool in denoisers.items():
                    clean, dsec = _timed(dtool, lr)
                    for sname, stool in sr.items():
                        img, ssec = _timed(stool, clean)
                        row["methods"][f"{dname}>{sname}"] = _metrics(img, hr, dsec + ssec) | {"chain": True}
            for key, prof in (
                ("fourk_fidelity", config.fidelity_profile),
                ("fourk_perception", config.perception_profile),
                *((p, p) for p in config.extra_profiles),
            ):
                result = run_fourk(lr, profile=prof, model=config.model)
                reasoning = result.reasoning
                row["methods"][key] = _metrics(result.final, hr, result.seconds) | {
                    "plan": result.plan,
                    "path": [f"{s}@{e}" for s, e in result.restoration.path],
                    "rollbacks": sum(e.kind == "rollback" for e in result.restoration.events),
                    "llm": None if reasoning is None else reasoning.model_dump(mode="json"),
                }
            images.append(row)
            if progress is not None:
                progress(
                    f"{name} level {level}: bicubic {row['methods']['bicubic']['psnr']:.2f} dB, "
                    f"4KAgent-F {row['methods']['fourk_fidelity']['psnr']:.2f} dB"
                )
    return {"summary": _summarize(images), "images": images}


def _summarize(images: list[dict[str, Any]]) -> dict[str, Any]:
    methods = list(images[0]["methods"]) if images else []
    summary: dict[str, Any] = {}
    for method in methods:
        summary[method] = {
            k: float(np.mean([img["methods"][method][k] for img in images]))
            for k in ("psnr", "ssim", "niqe", "seconds")
        }
        if images[0]["methods"][method].get("chain"):
            summary[method]["chain"] = True
    chains = [m for m in methods if images[0]["methods"][m].get("chain")]
    if chains:
        best = max(chains, key=lambda m: summary[m]["psnr"])
        summary["best_single_chain"] = dict(summary[best]) | {"chain": best}
        summary["best_single_chain"]["chains_compared"] = len(chains)
    bic = summary.get("bicubic", {})
    for key in ("fourk_fidelity", "fourk_perception"):
        if key in summary and bic:
            summary[key]["psnr_gain_over_bicubic"] = summary[key]["psnr"] - bic["psnr"]
    if "fourk_perception" in summary:
        summary["fourk_perception"]["niqe_better_than_bicubic_on"] = sum(
            img["methods"]["fourk_perception"]["niqe"] < img["methods"]["bicubic"]["niqe"] for img in images
        )
        summary["fourk_perception"]["images"] = len(images)
    return summary
