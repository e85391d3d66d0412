"""Learn the waifu2x photo experts' σ → noise-level table (`tools/image/_waifu2x.py`, LEVEL_TABLE).

    python benchmarks/fourk_waifu2x_levels.py --out results/fourk_waifu2x_levels.json

The photos are scikit-image's that neither the 4KAgent benchmark (astronaut, chelsea, coffee, rocket)
nor its held-out check (cat, immunohistochemistry, retina, hubble_deep_field) uses, degraded by the
benchmark's own `degrade` (blur → bicubic ¼ → noise → JPEG) at a grid of levels that are not the
benchmark's. For each image every pair of first/second ×2 pass levels (None, 0..3) is run and scored
by PSNR-Y against the original; the images are grouped by their measured noise σ into bins whose edges
are fixed here in advance, and the bins get the level pairs with the highest total PSNR under one
constraint: more measured noise never gets a weaker level in either pass (so one bin's noise cannot
pick a lighter level than its neighbours). Adjacent bins with the same pair are merged.

    python benchmarks/fourk_waifu2x_levels.py --refit results/fourk_waifu2x_levels.json   # fit only
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

PHOTOS = ("stereo_motorcycle", "camera", "brick", "coins", "moon", "clock")
"""Calibration photos: none is in the benchmark or its held-out check set."""

BLURS = (0.6, 1.2, 1.8)
NOISES = (0.0, 3.0, 6.0, 10.0, 15.0, 21.0, 28.0)
QUALITIES = (95, 80, 60)
EDGES = (2.0, 4.0, 7.0, 11.0, 16.0)
"""Bin edges on the measured σ (grey levels), fixed before looking at the results."""

LEVELS: tuple[int | None, ...] = (None, 0, 1, 2, 3)


def crop(name: str, size: int) -> np.ndarray:
    """The HR original: the benchmark's centre crop (`evaluation.photo`)."""
    from goalgraph.agents.fourk.evaluation import photo

    return photo(name, size)


def calibration_inputs(
    per_photo: int, size: int, seed: int
) -> Iterator[tuple[dict[str, Any], np.ndarray, np.ndarray]]:
    """(row head, original, degraded) for `per_photo` random grid degradations of each calibration photo.

    The row head names the photo and the degradation (``photo``, ``blur``, ``noise``, ``jpeg``). A progress
    line is printed once the caller has measured the input and asks for the next.
    """
    from goalgraph.agents.fourk.evaluation import degrade
    from goalgraph.tools.image.degradation import noise_sigma

    rng = np.random.default_rng(seed)
    grid = list(itertools.product(BLURS, NOISES, QUALITIES))
    for name in PHOTOS:
        hr = crop(name, size)
        for k in rng.choice(len(grid), size=per_photo, replace=False):
            blur, noise, quality = grid[int(k)]
            lr = degrade(hr, blur, noise, quality, seed=int(rng.integers(1 << 30)))
            yield {"photo": name, "blur": blur, "noise": noise, "jpeg": quality}, hr, lr
            print(f"{name} blur {blur} noise {noise} q {quality}: σ̂ {noise_sigma(lr):.1f}", flush=True)


def measure(per_photo: int, size: int, seed: int) -> list[dict[str, Any]]:
    """PSNR-Y of every level pair on `per_photo` random grid degradations of each calibration photo."""
    from goalgraph.tools.image import Image, iqa
    from goalgraph.tools.image._waifu2x import upscale
    from goalgraph.tools.image.degradation import noise_sigma

    rows = []
    for head, hr, lr in calibration_inputs(per_photo, size, seed):
        first = {a: upscale(lr, (a,)) for a in LEVELS}
        psnr = {
            f"{a}/{b}": iqa.psnr_y(Image.from_array(upscale(first[a], (b,))), hr)
            for a in LEVELS
            for b in LEVELS
        }
        rows.append({**head, "sigma": noise_sigma(lr), "psnr": psnr})
    return rows


def _rank(level: str) -> float:
    return -1.0 if level == "None" else float(level)


def fit(
    rows: list[dict[str, Any]], edges: tuple[float, ...] = EDGES, plain: str = "None/None"
) -> list[dict[str, Any]]:
    """The monotone σ-bin → level-pair table with the highest total PSNR (dynamic programming over bins).

    A key of ``row["psnr"]`` is one level per pass joined by "/" ("None" or a number); `plain` is the key
    reported as the no-denoising reference.
    """
    lows = (0.0, *edges)
    highs = (*edges, float("inf"))
    bins = [
        (high, [r for r in rows if low <= r["sigma"] < high]) for low, high in zip(lows, highs, strict=True)
    ]
    bins = [(high, members) for high, members in bins if members]
    pairs = list(rows[0]["psnr"])

    def below(p: str, q: str) -> bool:  # pair p is nowhere stronger than pair q
        return all(_rank(a) <= _rank(b) for a, b in zip(p.split("/"), q.split("/"), strict=True))

    # best[i][q]: (total PSNR of bins 0..i with bin i at pair q, the chosen pairs)
    best: list[dict[str, tuple[float, list[str]]]] = []
    for i, (_high, members) in enumerate(bins):
        gain = {q: float(sum(r["psnr"][q] for r in members)) for q in pairs}
        layer = {}
        for q in pairs:
            if i == 0:
                layer[q] = (gain[q], [q])
                continue
            options = [best[i - 1][p] for p in pairs if below(p, q)]
            total, chosen = max(options, key=lambda o: o[0])
            layer[q] = (total + gain[q], [*chosen, q])
        best.append(layer)
    _total, chosen = max(best[-1].values(), key=lambda o: o[0])
    merged: list[tuple[float, str, list[dict[str, Any]]]] = []
    for (high, members), pair in zip(bins, chosen, strict=True):
        if merged and merged[-1][1] == pair:  # same levels as the bin below: one row
            members = merged.pop()[2] + members
        merged.append((high, pair, members))
    table = []
    for high, pair, members in merged:
        means = {q: float(np.mean([r["psnr"][q] for r in members])) for q in pairs}
        table.append(
            {
                "sigma_below": high,
                "images": len(members),
                "pair": pair,
                "psnr": means[pair],
                "unconstrained_best": max(means, key=lambda q: means[q]),
                "unconstrained_psnr": max(means.values()),
                "plain_psnr": means.get(plain),
            }
        )
    return table


def _saved_rows(parser: argparse.ArgumentParser, path: Path) -> list[dict[str, Any]]:
    """The measured rows of an earlier ``--out`` file (exits with a usage error naming it otherwise)."""
    try:
        rows: list[dict[str, Any]] = json.loads(path.read_text())["rows"]
    except FileNotFoundError:
        parser.error(f"--refit {path}: file not found")
    except (json.JSONDecodeError, KeyError, TypeError):
        parser.error(f"--refit {path}: not a results file of this script (no 'rows')")
    return rows


def learn_table(
    description: str,
    measure: Callable[[int, int, int], list[dict[str, Any]]],
    fit_rows: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    describe: Callable[[dict[str, Any]], str],
    per_photo: int,
) -> None:
    """The command line of a σ → level table script: measure (or re-read `--refit`), fit, print each
    table row with `describe`, write the JSON."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", type=Path, help="write the measurements and the table here")
    parser.add_argument("--refit", type=Path, help="fit the rows of an earlier --out file instead")
    parser.add_argument("--per-photo", type=int, default=per_photo, help="random grid degradations per photo")
    parser.add_argument("--size", type=int, default=384)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.refit is None and args.out is None:
        parser.error("give --out (measure) or --refit (fit saved rows)")
    start = time.perf_counter()
    rows = _saved_rows(parser, args.refit) if args.refit else measure(args.per_photo, args.size, args.seed)
    table = fit_rows(rows)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(
            json.dumps({"table": table, "rows": rows, "seconds": time.perf_counter() - start}, indent=1)
        )
    for entry in table:
        print(describe(entry))


def main() -> None:
    """Measure (or re-read), fit, print the table and write the JSON."""
    learn_table(
        __doc__.splitlines()[0],
        measure,
        fit,
        lambda e: (
            f"σ̂ < {e['sigma_below']:>5}: {e['pair']:<7} {e['psnr']:.2f} dB (these images' best "
            f"pair {e['unconstrained_best']} {e['unconstrained_psnr']:.2f}; no denoising "
            f"{e['plain_psnr']:.2f}; {e['images']} images)"
        ),
        per_photo=14,
    )


if __name__ == "__main__":
    main()
