"""Why Fidelity SR steps fuse: the pixel mean of the SR networks vs. each network and the score's pick.

    python benchmarks/fourk_sr_fusion.py --out results/fourk_sr_fusion.json

For each photo set (calibration: the photos the level tables are learned on; held-out; the benchmark's
photos under other noise seeds) and degradation, each denoiser runs on the degraded input, then every
expert of the Fidelity SR toolbox; the JSON reports, per set and denoiser, the mean PSNR-Y (vs. the
original) of each network, of their pixel mean (`fusion`, what a Fidelity step outputs), of the
candidate the Q-MoE score picks (`score_pick`, the paper's rule) and of the per-image best network
(`oracle`). Nothing here is fitted: the sets only check that fusing generalizes.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
from fourk_qmoe_denoise import EXTRA_LEVELS, SETS, WEIGHT, degraded_inputs

DENOISERS = ("dct_xphoto", "nlmeans_cv", "waifu2x_photo_denoise")
"""The denoisers the Q-MoE picks (on the benchmark and held-out photos)."""


def measure(photos: tuple[str, ...], extra: bool) -> list[dict[str, Any]]:
    """One row per degraded image and denoiser: PSNR-Y and score of each SR network and of the fusion."""
    from rich.progress import track

    from goalgraph.agents.fourk.evaluation import LEVELS
    from goalgraph.agents.fourk.restoration import fuse
    from goalgraph.agents.fourk.scoring import SR_FIDELITY_SIGMA, quality_score
    from goalgraph.tools.image import iqa
    from goalgraph.tools.image.experts import experts_for

    denoisers = {e.name: e for e in experts_for("denoising") if e.name in DENOISERS}
    networks = experts_for("super-resolution", require=("fidelity",))
    rows = []
    total = len(photos) * (len(LEVELS) + (len(EXTRA_LEVELS) if extra else 0))
    inputs = degraded_inputs(photos, extra)
    for name, level, hr, lr in track(inputs, total=total, description=", ".join(photos)):
        for dname, denoiser in denoisers.items():
            step_input = denoiser.call(lr)
            images = {n.name: n.call(step_input) for n in networks}
            images["fusion"] = fuse(list(images.values()))
            rows.append(
                {
                    "photo": name,
                    "level": level,
                    "denoiser": dname,
                    "psnr": {k: iqa.psnr_y(v, hr) for k, v in images.items()},
                    "score": {
                        k: quality_score(
                            v, step_input, fidelity_weight=WEIGHT, fidelity_sigma=SR_FIDELITY_SIGMA
                        ).score
                        for k, v in images.items()
                        if k != "fusion"
                    },
                }
            )
    return rows


def summarize(rows: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Per denoiser: mean PSNR-Y of each network, the fusion, the score's pick and the oracle."""
    out: dict[str, dict[str, float]] = {}
    for dname in DENOISERS:
        mine = [r for r in rows if r["denoiser"] == dname]
        if not mine:
            continue
        names = list(mine[0]["psnr"])
        nets = [n for n in names if n != "fusion"]
        out[dname] = {n: float(np.mean([r["psnr"][n] for r in mine])) for n in names}
        out[dname]["score_pick"] = float(
            np.mean([r["psnr"][max(nets, key=lambda n, r=r: r["score"][n])] for r in mine])
        )
        out[dname]["oracle"] = float(np.mean([max(r["psnr"][n] for n in nets) for r in mine]))
        out[dname]["fusion_gain_over_best_network"] = out[dname]["fusion"] - max(out[dname][n] for n in nets)
        out[dname]["images"] = len(mine)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON output file")
    args = parser.parse_args()
    result: dict[str, Any] = {"summary": {}, "rows": {}}
    for set_name, photos in SETS.items():
        rows = measure(photos, extra=set_name != "benchmark_photos")
        result["rows"][set_name] = rows
        result["summary"][set_name] = summarize(rows)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    for set_name, per_denoiser in result["summary"].items():
        for dname, figures in per_denoiser.items():
            shown = {k: round(v, 2) for k, v in figures.items() if k != "images"}
            print(f"{set_name:17s} {dname:22s} {shown}")


if __name__ == "__main__":
    main()
