"""Face pipeline: detect faces (OpenCV Haar cascade) before and after super-resolution, restore each
crop with every face expert, keep the best by face quality + identity preservation, paste back.

    from goalgraph.agents.fourk.face import FaceRestorer
    faces = FaceRestorer.detect(image)                  # [(x, y, w, h), ...]
    restored, report = FaceRestorer(experts).restore(sr_image, faces_before=len(faces))

Face score = 0.5 · no-reference quality of the crop (`scoring.perception`) + 0.5 · identity, where
identity is the low-pass consistency (`scoring.fidelity`) of the restored crop with the crop before
restoration — a stand-in for the paper's ArcFace distance, which needs weights no wheel ships.
The unrestored crop is itself a candidate, so a face is only changed when a restored one scores higher.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import numpy as np

from goalgraph.tools import Tool, ToolError
from goalgraph.tools.image import Image
from goalgraph.tools.image.iqa import no_reference
from goalgraph.traces import SpanKind, set_output, start_span

from .scoring import fidelity, perception

__all__ = ["FaceRestorer"]


class FaceRestorer:
    """Detects, restores and pastes back faces with a set of face-restoration experts."""

    def __init__(self, experts: Sequence[Tool[Image, Image]]) -> None:
        self.experts = list(experts)

    @staticmethod
    def detect(image: Image, *, min_size: int = 24) -> list[tuple[int, int, int, int]]:
        """Frontal faces as (x, y, w, h) boxes (Haar cascade on a ≤1024 px grey copy)."""
        import cv2

        cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")  # type: ignore[attr-defined]
        pixels = image.array()
        factor = min(1.0, 1024 / max(pixels.shape[:2]))
        gray = cv2.cvtColor(
            cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
            if factor < 1
            else pixels,
            cv2.COLOR_RGB2GRAY,
        )
        found = cascade.detectMultiScale(
            gray, scaleFactor=1.1, minNeighbors=5, minSize=(max(12, int(min_size * factor)),) * 2
        )
        return [tuple(int(v / factor) for v in box) for box in found]  # type: ignore[misc]

    def restore(self, image: Image, *, faces_before: int) -> tuple[Image, dict[str, Any]]:
        """Restore each detected face when as many faces are found as before SR; else leave the image."""
        boxes = self.detect(image)
        report: dict[str, Any] = {"faces_before": faces_before, "faces_after": len(boxes), "faces": []}
        if not boxes or len(boxes) != faces_before:
            return image, report
        canvas = image.array().astype(np.float32)
        with start_span(
            "fourk face restoration", kind=SpanKind.CHAIN, attributes={"fourk.faces": len(boxes)}
        ) as span:
            for box in boxes:
                crop_img, (x0, y0, x1, y1) = _crop(image, box)
                candidates = asyncio.run(self._candidates(crop_img))
                scored = []
                for name, out in candidates:
                    quality = 0.5 * perception(no_reference(out)) + 0.5 * fidelity(out, crop_img)
                    scored.append((quality, name, out))
                scored.sort(key=lambda item: item[0], reverse=True)
                _best_score, best_name, best = scored[0]
                report["faces"].append(
                    {"box": list(box), "chosen": best_name, "scores": {n: round(s, 4) for s, n, _ in scored}}
                )
                if best_name != "original":
                    mask = _feather(y1 - y0, x1 - x0)[..., None]
                    region = canvas[y0:y1, x0:x1]
                    canvas[y0:y1, x0:x1] = region * (1 - mask) + best.array().astype(np.float32) * mask
            set_output(span, report)
        return Image.from_array(np.clip(canvas + 0.5, 0, 255).astype(np.uint8)), report

    async def _candidates(self, crop: Image) -> list[tuple[str, Image]]:
        async def one(expert: Tool[Image, Image]) -> tuple[str, Image] | None:
            try:
                return expert.name, await expert.acall(crop)
            except ToolError:
                return None

        results = await asyncio.gather(*(one(e) for e in self.experts))
        return [("original", crop)] + [r for r in results if r is not None]


def _crop(
    image: Image, box: tuple[int, int, int, int], margin: float = 0.25
) -> tuple[Image, tuple[int, int, int, int]]:
    x, y, w, h = box
    mx, my = int(w * margin), int(h * margin)
    x0, y0 = max(0, x - mx), max(0, y - my)
    x1, y1 = min(image.width, x + w + mx), min(image.height, y + h + my)
    return Image.from_array(image.array()[y0:y1, x0:x1]), (x0, y0, x1, y1)


def _feather(h: int, w: int) -> np.ndarray:
    import cv2

    mask = np.zeros((h, w), np.float32)
    cv2.ellipse(mask, (w // 2, h // 2), (int(w * 0.4), int(h * 0.45)), 0, 0, 360, 1.0, -1)
    return cv2.GaussianBlur(mask, (0, 0), max(1.0, min(h, w) / 12))
