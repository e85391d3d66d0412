"""Learn the SRMD expert's σ → noise-level table (`tools/image/_srmd.py`, LEVEL_TABLE).

    python benchmarks/fourk_srmd_levels.py --out results/fourk_srmd_levels.json

Same calibration photos and degradation grid as `fourk_waifu2x_levels.py` (neither the 4KAgent
benchmark's photos nor its held-out check's). The super-resolution step sees two kinds of input — the
degraded image itself (SR alone) and the output of a denoising step — so each degraded image is
upscaled ×4 by SRMD as it is and after each built-in denoiser, at every noise level of `LEVELS`, and
scored by PSNR-Y against the original. The inputs are binned by their measured noise σ (edges fixed
here in advance) and each bin gets the level with the highest total PSNR, more measured noise never
getting a lower level (`fourk_waifu2x_levels.fit`).

    python benchmarks/fourk_srmd_levels.py --refit results/fourk_srmd_levels.json   # fit only
"""

from __future__ import annotations

from typing import Any

from fourk_waifu2x_levels import calibration_inputs, fit, learn_table

LEVELS = (0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 40.0, 50.0)
"""Noise levels (grey levels) tried; SRMD was trained on 0–75."""
EDGES = (1.0, 2.0, 4.0, 7.0, 11.0, 16.0)
"""Bin edges on the measured σ (grey levels), fixed before looking at the results."""


def measure(per_photo: int, size: int, seed: int) -> list[dict[str, Any]]:
    """PSNR-Y of SRMD ×4 at every level, on each degraded image as it is and after each denoiser."""
    from goalgraph.tools.image import Image, iqa
    from goalgraph.tools.image._srmd import upscale
    from goalgraph.tools.image.degradation import noise_sigma
    from goalgraph.tools.image.experts import experts_for

    denoisers = experts_for("denoising")
    rows = []
    for head, hr, lr in calibration_inputs(per_photo, size, seed):
        inputs = {"none": lr} | {d.name: d.call(Image.from_array(lr)).array() for d in denoisers}
        for source, image in inputs.items():
            psnr = {f"{lv:g}": iqa.psnr_y(Image.from_array(upscale(image, 4, lv)), hr) for lv in LEVELS}
            rows.append({**head, "denoiser": source, "sigma": noise_sigma(image), "psnr": psnr})
    return rows


def main() -> None:
    """Measure (or re-read), fit, print the table and write the JSON."""
    learn_table(
        __doc__.splitlines()[0],
        measure,
        lambda rows: fit(rows, EDGES, plain="0"),
        lambda e: (
            f"σ̂ < {e['sigma_below']:>5}: level {e['pair']:>3} {e['psnr']:.2f} dB (these inputs' "
            f"best level {e['unconstrained_best']} {e['unconstrained_psnr']:.2f}; level 0 "
            f"{e['plain_psnr']:.2f}; {e['images']} inputs)"
        ),
        per_photo=8,
    )


if __name__ == "__main__":
    main()
