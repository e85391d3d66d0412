"""How well the Q-MoE's denoising step picks a denoiser: the score with and without the SURE risk ratio.

    python benchmarks/fourk_qmoe_denoise.py --out results/fourk_qmoe_denoise.json

For each photo set (calibration: the photos `fourk_waifu2x_levels.py` learns on; held-out; the
benchmark's photos under other noise seeds) and degradation, every denoiser runs on the degraded input,
then each Fidelity super-resolution expert; the JSON reports the mean PSNR-Y (vs. the original) of the
denoiser each rule picks, next to every fixed denoiser and the per-image oracle. Rules: `lowpass` is the
score without the SURE term (fidelity weight 0.5), `sure_ratio_p1` / `sure_ratio_p3` add it with a probe
of ±1 / ±3 grey levels (the probe size is chosen on the calibration set), `sure_only` ranks by risk alone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from goalgraph.tools.image import Image

SETS = {
    "calibration": ("stereo_motorcycle", "camera", "brick", "coins", "moon", "clock"),
    "held_out": ("cat", "immunohistochemistry", "retina", "hubble_deep_field"),
    "benchmark_photos": ("astronaut", "chelsea", "coffee", "rocket"),
}
EXTRA_LEVELS = ((0.8, 8.0, 92), (1.4, 22.0, 75))
"""Two degradations beside the benchmark's three, for the calibration and held-out sets."""
WEIGHT = 0.5
"""The Fidelity profiles' fidelity weight."""


def degraded_inputs(photos: tuple[str, ...], extra: bool) -> Iterator[tuple[str, int, np.ndarray, Image]]:
    """(photo, level, original, degraded input) for each photo at the benchmark's degradations, and at
    `EXTRA_LEVELS` too when `extra`; the noise seeds are not the benchmark's."""
    from goalgraph.agents.fourk.evaluation import LEVELS, degrade, photo
    from goalgraph.tools.image import Image

    for name in photos:
        hr = photo(name, 384)
        for level, (blur, noise, quality) in enumerate([*LEVELS, *(EXTRA_LEVELS if extra else ())]):
            # The benchmark uses 1000 * level + len(name).
            yield (
                name,
                level,
                hr,
                Image.from_array(degrade(hr, blur, noise, quality, seed=1000 * level + len(name) + 7)),
            )


def measure(photos: tuple[str, ...], extra: bool) -> list[list[dict[str, Any]]]:
    """Per degraded image, one row per denoiser: its scores, risks and the PSNR after each SR expert."""
    from goalgraph.agents.fourk import scoring
    from goalgraph.agents.fourk.restoration import fuse
    from goalgraph.tools.image import iqa
    from goalgraph.tools.image.experts import experts_for

    denoisers = experts_for("denoising")
    sr = experts_for("super-resolution", require=("fidelity",))
    images = []
    for name, level, hr, lr in degraded_inputs(photos, extra):
        rows = []
        for expert in denoisers:
            out = expert.call(lr)
            row: dict[str, Any] = {"photo": name, "level": level, "denoiser": expert.name}
            row["quality"] = scoring.quality_score(out, lr, fidelity_weight=WEIGHT)
            for probe in (1.0, 3.0):
                row[f"risk_p{probe:g}"] = asyncio.run(
                    scoring.denoising_risk(expert.acall, lr, denoised=out, probe_size=probe)
                )
            upscaled = {s.name: s.call(out) for s in sr}
            # `fusion`: what a Fidelity SR step outputs (the mean of the networks that pass).
            upscaled["fusion"] = fuse(list(upscaled.values()))
            row["psnr"] = {sr_name: iqa.psnr_y(image, hr) for sr_name, image in upscaled.items()}
            rows.append(row)
        images.append(rows)
    return images


def pick(rows: list[dict[str, Any]], rule: str) -> dict[str, Any]:
    """The row a rule picks (the SURE-ratio rules score through the Q-MoE's own `with_risk_ratios`)."""
    from goalgraph.agents.fourk.scoring import with_risk_ratios

    if rule == "lowpass":
        return max(rows, key=lambda r: r["quality"].score)
    risk = "risk_p3" if rule in ("sure_ratio_p3", "sure_only") else "risk_p1"
    if rule == "sure_only":
        return min(rows, key=lambda r: r[risk])
    capped = with_risk_ratios(
        [r["quality"].model_copy(update={"risk": r[risk]}) for r in rows], fidelity_weight=WEIGHT
    )
    return rows[max(range(len(rows)), key=lambda i: capped[i].score)]


def summarize(images: list[list[dict[str, Any]]]) -> dict[str, Any]:
    """Mean PSNR-Y per SR expert of each rule, each fixed denoiser and the oracle."""
    sr_names = list(images[0][0]["psnr"])
    out: dict[str, Any] = {}
    for sr in sr_names:
        table = {
            rule: float(np.mean([pick(rows, rule)["psnr"][sr] for rows in images]))
            for rule in ("lowpass", "sure_ratio_p1", "sure_ratio_p3", "sure_only")
        }
        for i, row in enumerate(images[0]):
            table[f"fixed:{row['denoiser']}"] = float(np.mean([rows[i]["psnr"][sr] for rows in images]))
        table["oracle"] = float(np.mean([max(r["psnr"][sr] for r in rows) for rows in images]))
        out[sr] = table
    return out


def main() -> None:
    """Run every set and write the JSON."""
    from rich.progress import track

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="JSON output file")
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"summary": {}, "images": {}}
    for name, photos in track(list(SETS.items()), description="photo sets"):
        images = measure(photos, extra=name != "benchmark_photos")
        result["summary"][name] = summarize(images)
        result["images"][name] = images
    args.out.write_text(json.dumps(result, indent=2, default=lambda q: q.model_dump(exclude={"iqa"})))
    for name, table in result["summary"].items():
        for sr, row in table.items():
            print(name, sr, "  ".join(f"{k} {v:.2f}" for k, v in row.items()))


if __name__ == "__main__":
    main()
