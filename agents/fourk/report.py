"""HTML report of a 4KAgent run: input, perception, each step's candidates with scores, the chosen path,
rollbacks, and final-vs-bicubic crops side by side.

    from goalgraph.agents.fourk import run_fourk, write_report
    html_path = write_report(run_fourk("photo.png", profile="FastGen4K-P"), "out/fourk")
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import numpy as np

from goalgraph.tools.image import Image, save_image

from .graph import FourKResult

__all__ = ["write_report"]

_CSS = """
body{font-family:system-ui,sans-serif;margin:24px;color:#222;max-width:1400px}
h1{font-size:22px}h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ddd;padding:4px 8px;font-size:13px;vertical-align:top}
.cands{display:flex;flex-wrap:wrap;gap:10px}.cand{border:2px solid #ddd;padding:4px;font-size:12px;text-align:center}
.cand.best{border-color:#2a7}.cand.fail{border-color:#c33}.cand img{display:block;width:160px}
.pair{display:flex;gap:12px}.pair figure{margin:0}.pair img{width:420px;image-rendering:pixelated}
.event{font-family:monospace;font-size:12px}.rollback{color:#c33}.replan{color:#a60}
"""


def _img_tag(path: Path, root: Path, alt: str, width: int | None = None) -> str:
    w = f' style="width:{width}px"' if width else ""
    return f'<img src="{html.escape(str(path.relative_to(root)))}" alt="{html.escape(alt)}"{w}>'


def _save_preview(image: Image, path: Path, max_side: int = 1024) -> Path:
    import cv2

    pixels = image.array()
    if max(pixels.shape[:2]) > max_side:
        f = max_side / max(pixels.shape[:2])
        pixels = cv2.resize(pixels, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
    save_image(Image.from_array(pixels), path)
    return path


def _crops(final: Image, source: Image, folder: Path, size: int = 256) -> tuple[Path, Path]:
    import cv2

    out = final.array()
    bicubic = cv2.resize(source.array(), (out.shape[1], out.shape[0]), interpolation=cv2.INTER_CUBIC)
    # The crop with the most detail (highest gradient energy) shows the difference best.
    gray = out.mean(axis=2)
    energy = np.abs(np.diff(gray, axis=0))[:, :-1] + np.abs(np.diff(gray, axis=1))[:-1, :]
    side = min(size, out.shape[0], out.shape[1])
    step = max(1, side // 2)
    best, where = -1.0, (0, 0)
    for y in range(0, max(1, out.shape[0] - side + 1), step):
        for x in range(0, max(1, out.shape[1] - side + 1), step):
            value = float(energy[y : y + side, x : x + side].mean())
            if value > best:
                best, where = value, (y, x)
    y, x = where
    a = save_image(Image.from_array(out[y : y + side, x : x + side]), folder / "crop_final.png")
    b = save_image(Image.from_array(bicubic[y : y + side, x : x + side]), folder / "crop_bicubic.png")
    return Path(a.path or ""), Path(b.path or "")


def _llm_line(result: FourKResult) -> str:
    r = result.reasoning
    if r is None:
        return "not asked (explicit tasks)"
    named = ", ".join(r.answer.degradations) or "none"
    offered = ", ".join(r.candidates) or "none"
    status = f"failed: {r.error}" if r.error else f"named {named} of the candidates {offered}"
    return f"{r.model}{' + image' if r.with_image else ''}, {r.seconds:.1f} s: {status}"


def write_report(result: FourKResult, out_dir: str | Path, *, title: str = "4KAgent report") -> Path:
    """Write `index.html`, `final.png` and previews under `out_dir`; returns the HTML path."""
    root = Path(out_dir)
    (root / "img").mkdir(parents=True, exist_ok=True)
    save_image(result.final, root / "final.png")
    input_prev = _save_preview(result.input, root / "img" / "input.png")
    crop_final, crop_bicubic = _crops(
        result.final,
        result.input,
        root / "img",
        size=max(256, min(result.final.width, result.final.height) // 8),
    )
    rest = result.restoration
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{_CSS}</style></head><body><h1>{html.escape(title)}</h1>"
    ]
    parts.append("<table>")
    for key, value in [
        ("profile", result.profile.name),
        ("input", f"{result.input.width}×{result.input.height}"),
        ("output", f"{result.final.width}×{result.final.height} (×{result.factor})"),
        ("degradations treated", ", ".join(result.degradations) or "none"),
        ("perception model says", result.description or "—"),
        ("perception LLM", _llm_line(result)),
        ("initial plan", " → ".join(result.plan) or "—"),
        ("chosen path", " → ".join(f"{s} @ {e}" for s, e in rest.path) or "—"),
        ("skipped tasks", ", ".join(rest.skipped) or "none"),
        ("faces in input", str(result.faces)),
        ("time", f"{result.seconds:.1f} s"),
    ]:
        parts.append(f"<tr><th>{html.escape(key)}</th><td>{html.escape(value)}</td></tr>")
    parts.append("</table>")
    parts.append(f"<h2>Input</h2>{_img_tag(input_prev, root, 'input', 320)}")
    if result.analysis is not None:
        m, q = result.analysis.measures, result.analysis.iqa
        parts.append(
            "<h2>Perception</h2><table><tr><th>NIQE</th><th>BRISQUE</th><th>PIQE</th>"
            "<th>noise σ</th><th>blur</th><th>blockiness</th><th>haze</th><th>brightness</th></tr>"
            f"<tr><td>{q.niqe:.2f}</td><td>{q.brisque:.1f}</td><td>{q.piqe:.1f}</td><td>{m.noise_sigma:.1f}</td>"
            f"<td>{m.blur:.2f}</td><td>{m.blockiness:.2f}</td><td>{m.haze:.2f}</td><td>{m.brightness:.2f}</td></tr></table>"
        )
        parts.append(
            "<p>"
            + "; ".join(
                f"{html.escape(s.degradation)}: <b>{s.verdict}</b> ({s.value:.3g})"
                for s in result.analysis.severities
            )
            + "</p>"
        )
    parts.append("<h2>Steps (Q-MoE candidates, best first)</h2>")
    for index, step in enumerate(rest.steps):
        status = "FAILED threshold → rollback" if step["failed"] else "ok"
        parts.append(
            f"<h3>{index + 1}. {html.escape(step['subtask'])} from node {step['node']} — chosen "
            f"<b>{html.escape(step['chosen'])}</b> ({status})</h3><div class='cands'>"
        )
        for cand in step["candidates"]:
            quality = cand.get("quality") or {}
            klass = "cand best" if cand["expert"] == step["chosen"] else "cand"
            if cand["expert"] == step["chosen"] and step["failed"]:
                klass = "cand fail"
            thumb = cand.get("thumbnail")
            picture = (
                _img_tag(Path(thumb), root, cand["expert"])
                if thumb and Path(thumb).is_relative_to(root)
                else ""
            )
            detail = (
                (
                    f"score {quality.get('score', 0):.3f}<br>fid {quality.get('fidelity', 0):.2f} · "
                    f"perc {quality.get('perception', 0):.2f}<br>{cand['seconds']:.2f} s"
                )
                if quality
                else html.escape(cand.get("error") or "failed")
            )
            parts.append(
                f"<div class='{klass}'>{picture}<b>{html.escape(cand['expert'])}</b><br>{detail}</div>"
            )
        parts.append("</div>")
        if step.get("faces"):
            parts.append(f"<p>faces: <code>{html.escape(json.dumps(step['faces']))}</code></p>")
    parts.append("<h2>Events</h2>")
    for event in rest.events:
        parts.append(
            f"<div class='event {event.kind}'>{event.kind}: {html.escape(json.dumps(event.detail, default=str))}</div>"
        )
    parts.append(
        "<h2>Final vs. bicubic (same crop)</h2><div class='pair'>"
        f"<figure>{_img_tag(crop_final, root, 'final')}<figcaption>4KAgent</figcaption></figure>"
        f"<figure>{_img_tag(crop_bicubic, root, 'bicubic')}<figcaption>bicubic ×{result.factor}</figcaption></figure></div>"
    )
    parts.append(
        f"<p><a href='final.png'>final.png</a> ({result.final.width}×{result.final.height})</p></body></html>"
    )
    page = root / "index.html"
    page.write_text("\n".join(parts), encoding="utf-8")
    return page
