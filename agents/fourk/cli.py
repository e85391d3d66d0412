"""`goalgraph eval fourk`: evaluate 4KAgent on degraded scikit-image photos, or restore one image file.

goalgraph eval fourk --out results/fourk_eval.json              # bicubic vs 4KAgent (F and P profiles)
goalgraph eval fourk --image photo.png --profile FastGen4K-P --report out/photo   # one image + HTML
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

__all__ = ["command"]


def _fail(message: str) -> None:
    from rich.console import Console

    Console(stderr=True).print(f"[red]error:[/] {message}")
    raise typer.Exit(code=2)


def command(
    out: Annotated[Path, typer.Option(help="JSON results file (eval contract).")] = Path(
        "results/fourk_eval.json"
    ),
    image: Annotated[Path | None, typer.Option(help="Restore this image file instead of evaluating.")] = None,
    profile: Annotated[str, typer.Option(help="Profile for --image (name or YAML path).")] = "FastGen4K-P",
    report: Annotated[Path | None, typer.Option(help="Folder for the HTML report (with --image).")] = None,
    photos: Annotated[
        str, typer.Option(help="Comma-separated scikit-image photos to evaluate.")
    ] = "astronaut,chelsea,coffee,rocket",
    levels: Annotated[int, typer.Option(min=1, max=3, help="Degradation levels per photo.")] = 3,
    chains: Annotated[bool, typer.Option(help="Also evaluate every fixed single-expert chain.")] = False,
    model: Annotated[
        str, typer.Option(help="Perception model spec (`local`, `openai:M@URL`, or `test` for no LLM).")
    ] = "local",
) -> None:
    """Evaluate 4KAgent (PSNR/SSIM on Y, NIQE, seconds) or restore one image with an HTML report."""
    from rich.console import Console

    from goalgraph.agents.fourk.profiles import ProfileError, load_profile
    from goalgraph.tools.image import ImageError, load_image

    console = Console()
    if image is not None:
        try:
            prof = load_profile(profile)
            img = load_image(image)
        except (ProfileError, ImageError) as error:
            _fail(str(error))
            return
        from goalgraph.agents.fourk import run_fourk, write_report

        folder = report or Path("out") / f"fourk-{image.stem}"
        existed = folder.exists()
        try:
            with console.status("restoring…") as status:
                result = run_fourk(
                    img,
                    profile=prof,
                    work_dir=folder,
                    model=model,
                    on_step=lambda m: status.update(f"done: {m}"),
                )
        except (ValueError, ImageError) as error:  # e.g. every expert of a step failed on this image
            if not existed:  # no half-written report folder (thumbnails of the steps that ran)
                import shutil

                shutil.rmtree(folder, ignore_errors=True)
            _fail(f"{image}: {error}")
            return
        page = write_report(result, folder, title=f"4KAgent: {image.name} ({prof.name})")
        console.print(f"{result.final.width}×{result.final.height} in {result.seconds:.1f} s → {page}")
        return

    from goalgraph.agents.fourk.evaluation import EvalConfig, evaluate
    from goalgraph.evals import check_output

    try:
        check_output(out)  # before minutes of evaluation, not after
    except ValueError as error:
        _fail(str(error))
    names = tuple(p.strip() for p in photos.split(",") if p.strip())
    import skimage.data

    unknown = [n for n in names if not callable(getattr(skimage.data, n, None))]
    if unknown or not names:
        _fail(f"--photos: unknown scikit-image photo(s): {', '.join(unknown) or '(none given)'}")
    config = EvalConfig(photos=names, levels=levels, chains=chains, model=model)
    with console.status("evaluating…") as status:
        results = evaluate(config, progress=lambda m: status.update(m))
    payload = to_eval_contract(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    for system, metrics in payload["summary"].items():
        console.print(
            f"{system:<20} PSNR {metrics['psnr']:.2f}  SSIM {metrics['ssim']:.3f}  "
            f"NIQE {metrics['niqe']:.2f}  {metrics['seconds']:.2f} s"
        )
    console.print(f"→ {out}")


def to_eval_contract(results: dict[str, Any]) -> dict[str, Any]:
    """Reshape `evaluation.evaluate` output into `{"summary", "by_group", "episodes"}` (group = level)."""
    systems = ["bicubic", "fourk_fidelity", "fourk_perception"] + (
        ["best_single_chain"] if "best_single_chain" in results["summary"] else []
    )
    metrics = ("psnr", "ssim", "niqe", "seconds")
    summary = {s: {m: results["summary"][s][m] for m in metrics} for s in systems if s in results["summary"]}
    by_group: dict[str, dict[str, dict[str, float]]] = {}
    for system in systems:
        if system == "best_single_chain":
            continue
        for level in sorted({img["level"] for img in results["images"]}):
            rows = [img["methods"][system] for img in results["images"] if img["level"] == level]
            by_group.setdefault(system, {})[f"level{level}"] = {
                m: sum(r[m] for r in rows) / len(rows) for m in metrics
            }
    return {"summary": summary, "by_group": by_group, "episodes": results["images"]}
