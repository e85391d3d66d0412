"""4KAgent benchmark: bicubic vs. every fixed single-expert chain vs. 4KAgent (fidelity and perception profiles).

    python benchmarks/fourk_bench.py --out results/fourk_bench.json            # + results/fourk_bench.png
    python benchmarks/fourk_bench.py --out results/fourk_4k.json --only-4k     # 1024 px → 4096 px timing

JSON: {"summary": {METHOD: {"psnr", "ssim", "niqe", "seconds"}}, "images": [...], "ratios": {...}};
METHOD is bicubic, best_single_chain, fourk_fidelity, fourk_perception, ExpSR-s4-F and each chain by
name (`denoiser>sr_expert` or an SR expert alone). Photos are scikit-image's, degraded in code with fixed
seeds (see `goalgraph.agents.fourk.evaluation`).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any


def chart(results: dict[str, Any], path: Path) -> None:
    """Mean PSNR and NIQE of the headline methods and the five best chains, and NIQE per image."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = results["summary"]
    chains = sorted(
        (m for m, v in summary.items() if v.get("chain") is True), key=lambda m: -summary[m]["psnr"]
    )[:5]
    methods = [
        "bicubic",
        "fourk_fidelity",
        "fourk_perception",
        *[m for m in ("ExpSR-s4-F",) if m in summary],
        *chains,
    ]
    fig, axes = plt.subplots(1, 3, figsize=(18, 5), gridspec_kw={"width_ratios": [1, 1, 1.2]})
    colors = ["#888" if m == "bicubic" else "#2a7" if m.startswith("fourk") else "#57c" for m in methods]
    for ax, key, label in (
        (axes[0], "psnr", "mean PSNR-Y (dB, higher better)"),
        (axes[1], "niqe", "mean NIQE (lower better)"),
    ):
        values = [summary[m][key] for m in methods]
        ax.barh(range(len(methods)), values, color=colors)
        ax.set_yticks(range(len(methods)), methods, fontsize=8)
        ax.invert_yaxis()
        ax.set_xlabel(label)
        if key == "psnr":
            ax.set_xlim(min(values) - 1, max(values) + 0.5)
    images = results["images"]
    labels = [f"{img['photo'][:6]} L{img['level']}" for img in images]
    x = range(len(images))
    for offset, method, color in ((-0.2, "bicubic", "#888"), (0.2, "fourk_perception", "#2a7")):
        axes[2].bar(
            [i + offset for i in x],
            [img["methods"][method]["niqe"] for img in images],
            width=0.4,
            color=color,
            label=method,
        )
    axes[2].set_xticks(list(x), labels, rotation=60, fontsize=7)
    axes[2].set_ylabel("NIQE per image (lower better)")
    axes[2].legend(fontsize=8)
    fig.suptitle(f"4KAgent vs bicubic and fixed chains ({len(images)} degraded photos, ×4)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def timing_4k(profile: str, model: str) -> dict[str, Any]:
    """Upscale a 1024 px photo to 4096 px with `profile`; wall time and peak RSS of this process."""
    import cv2
    import numpy as np
    import skimage.data

    from goalgraph.agents.fourk import run_fourk
    from goalgraph.tools.image import Image

    photo = cv2.resize(skimage.data.astronaut(), (1024, 1024), interpolation=cv2.INTER_CUBIC)
    noisy = np.clip(photo + np.random.default_rng(0).normal(0, 8, photo.shape), 0, 255).astype(np.uint8)
    start = time.perf_counter()
    result = run_fourk(Image.from_array(noisy), profile=profile, model=model)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "profile": profile,
        "input": "1024x1024",
        "output": f"{result.final.width}x{result.final.height}",
        "seconds": seconds,
        "peak_rss_mb": peak_mb,
        "plan": result.plan,
        "path": [f"{s}@{e}" for s, e in result.restoration.path],
        "llm": None if result.reasoning is None else result.reasoning.model_dump(mode="json"),
    }


def main() -> None:
    """Parse arguments, run, write JSON and PNG."""
    from rich.progress import Progress

    from goalgraph.agents.fourk.evaluation import LEVELS, EvalConfig, evaluate

    parser = argparse.ArgumentParser(description="4KAgent benchmark")
    parser.add_argument("--out", type=Path, required=True, help="JSON output file")
    parser.add_argument("--photos", default="astronaut,chelsea,coffee,rocket")
    parser.add_argument("--levels", type=int, default=len(LEVELS))
    parser.add_argument("--size", type=int, default=384, help="HR crop side (LR is a quarter)")
    parser.add_argument("--model", default="local", help="perception model spec (`test`: no LLM)")
    parser.add_argument("--only-4k", action="store_true", help="only the 1024→4096 FastGen4K-P timing")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)

    if args.only_4k:
        payload = timing_4k("FastGen4K-P", args.model)
        args.out.write_text(json.dumps(payload, indent=2))
        print(json.dumps(payload, indent=2))
        return

    photos = tuple(p for p in args.photos.split(",") if p)
    config = EvalConfig(photos=photos, levels=args.levels, size=args.size, model=args.model)
    with Progress() as progress:
        task = progress.add_task("images", total=len(photos) * args.levels)
        results = evaluate(config, progress=lambda m: (progress.console.print(m), progress.advance(task)))
    summary = results["summary"]
    bic, best = summary["bicubic"], summary["best_single_chain"]
    results["ratios"] = {
        "fourk_fidelity_psnr_gain_db_vs_bicubic": summary["fourk_fidelity"]["psnr"] - bic["psnr"],
        "fourk_fidelity_psnr_gain_db_vs_best_chain": summary["fourk_fidelity"]["psnr"] - best["psnr"],
        "fourk_perception_niqe_ratio_vs_bicubic": summary["fourk_perception"]["niqe"] / bic["niqe"],
        "fourk_perception_niqe_better_images": summary["fourk_perception"]["niqe_better_than_bicubic_on"],
        "images": len(results["images"]),
    }
    args.out.write_text(json.dumps(results, indent=2))
    chart(results, args.out.with_suffix(".png"))
    for method in ("bicubic", "best_single_chain", "fourk_fidelity", "fourk_perception", "ExpSR-s4-F"):
        m = summary[method]
        print(
            f"{method:<20} PSNR {m['psnr']:.2f}  SSIM {m['ssim']:.3f}  NIQE {m['niqe']:.2f}  {m['seconds']:.2f} s"
            + (f"  ({m['chain']})" if "chain" in m and isinstance(m["chain"], str) else ""),
            file=sys.stdout,
        )
    print(json.dumps(results["ratios"], indent=2))


if __name__ == "__main__":
    main()
