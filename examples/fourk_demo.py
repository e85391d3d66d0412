"""4KAgent demo: a degraded scikit-image photo → perception → Q-MoE restoration → 4K, with an HTML report.

Run: `goalgraph demo fourk` or `python examples/fourk_demo.py [--out DIR] [--side 256] [--profile FastGen4K-P]`.
The astronaut photo is blurred, shrunk to `--side` px, given noise and JPEG compression in code, then
restored and upscaled ×16 to 4096 px. Open the printed `index.html` to see every step's candidates.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np


def degraded_photo(side: int) -> np.ndarray:
    """scikit-image's astronaut, blurred, resized to `side` px, with σ=15 noise and JPEG q=90 (seed 0)."""
    import cv2
    import skimage.data

    hr = skimage.data.astronaut().astype(np.float32)
    x = cv2.resize(cv2.GaussianBlur(hr, (0, 0), 1.2), (side, side), interpolation=cv2.INTER_AREA)
    x = np.clip(x + np.random.default_rng(0).normal(0, 15, x.shape) + 0.5, 0, 255).astype(np.uint8)
    _ok, buf = cv2.imencode(".jpg", cv2.cvtColor(x, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, 90])
    return cv2.cvtColor(cv2.imdecode(buf, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def main(argv: list[str] | None = None) -> Path:
    """Run the demo, print where the report is, and return the report's path."""
    from rich.console import Console

    from goalgraph.agents.fourk import run_fourk, write_report
    from goalgraph.tools.image import Image

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("out/fourk_demo"), help="report folder")
    parser.add_argument("--side", type=int, default=256, help="side of the degraded input in px")
    parser.add_argument("--profile", default="FastGen4K-P", help="4KAgent profile name or YAML path")
    parser.add_argument(
        "--model", default="local", help="perception model spec (`test` runs without the LLM)"
    )
    args = parser.parse_args(argv)

    console = Console()
    image = Image.from_array(degraded_photo(args.side))
    console.print(
        f"[bold]4KAgent[/] on a degraded {image.width}×{image.height} astronaut, profile {args.profile}"
    )
    start = time.perf_counter()
    with console.status("perceiving and restoring…") as status:
        result = run_fourk(
            image,
            profile=args.profile,
            model=args.model,
            work_dir=args.out,
            on_step=lambda message: status.update(f"done: {message}"),
        )
    if result.reasoning is not None:
        answer = result.reasoning.answer
        console.print(
            f"perception ({result.reasoning.model}, {result.reasoning.seconds:.1f} s): "
            f"{', '.join(answer.degradations) or 'no borderline degradation named'} — {answer.description}"
        )
    console.print(f"plan: {' → '.join(result.plan)}")
    for subtask, expert in result.restoration.path:
        console.print(f"  {subtask:<36} {expert}")
    rollbacks = sum(e.kind == "rollback" for e in result.restoration.events)
    console.print(
        f"output {result.final.width}×{result.final.height}, rollbacks {rollbacks}, "
        f"faces {result.faces}, {time.perf_counter() - start:.1f} s"
    )
    page = write_report(result, args.out, title=f"4KAgent demo ({args.profile})")
    console.print(f"report: [link=file://{page.resolve()}]{page}[/link]")
    return page


if __name__ == "__main__":
    main()
