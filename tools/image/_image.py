"""The `Image` value passed between image tools, and its process-local pixel cache.

Pixels never travel inside the model: an `Image` holds a content hash (`key`) and, when it came from a
file, its `path`. Spans, checkpointers and LLM prompts therefore see ~100 bytes, not megabytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

__all__ = ["MAX_SIDE", "Image", "ImageError", "as_rgb8", "cache_pixels", "load_image", "save_image"]

#: Longest side (pixels) accepted from a file or an array; larger inputs raise `ImageError`.
MAX_SIDE = 16384
# Cache budget in bytes: above it the least recently used arrays are spilled to PNG files in a temp dir.
_CACHE_BYTES = int(os.environ.get("GOALGRAPH_IMAGE_CACHE_MB", "2048")) * 2**20


class ImageError(ValueError):
    """An image that cannot be read or used; the message names the file or argument and the reason."""


class Image(BaseModel):
    """An 8-bit RGB image held by reference: a content hash into the process cache, and/or a file path."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    key: str = Field(description="Content hash of the pixels (sha1 of shape + bytes); the cache key.")
    width: int = Field(ge=1, description="Width in pixels.")
    height: int = Field(ge=1, description="Height in pixels.")
    path: str | None = Field(
        default=None, description="File the pixels were read from or written to, if any."
    )

    @classmethod
    def from_array(cls, array: Any, *, name: str = "array") -> Image:
        """Wrap an array (H×W, H×W×1/3/4; uint8, uint16, bool or float in [0, 1]) as an RGB8 image."""
        return cache_pixels(as_rgb8(np.asarray(array), name=name))

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Image:
        """Read an image file (see `load_image`)."""
        return load_image(path)

    def array(self) -> np.ndarray:
        """The pixels as a read-only H×W×3 uint8 array."""
        return _CACHE.get(self)

    def float32(self) -> np.ndarray:
        """The pixels as a writable H×W×3 float32 array in [0, 1]."""
        return self.array().astype(np.float32) / 255.0

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width)."""
        return (self.height, self.width)

    def save(self, path: str | os.PathLike[str]) -> Image:
        """Write the pixels to `path` (format from the suffix) and return the image with `path` set."""
        return save_image(self, path)


def as_rgb8(array: np.ndarray, *, name: str = "array") -> np.ndarray:
    """Convert grayscale / RGBA / 16-bit / float / bool pixels to H×W×3 uint8, or raise `ImageError`."""
    if array.dtype == object or array.ndim not in (2, 3):
        raise ImageError(
            f"{name}: expected an H×W or H×W×C image array, got shape {array.shape} ({array.dtype})"
        )
    if array.size == 0 or min(array.shape[:2]) == 0:
        raise ImageError(f"{name}: image is empty (shape {array.shape})")
    if max(array.shape[:2]) > MAX_SIDE:
        raise ImageError(
            f"{name}: image is {array.shape[1]}×{array.shape[0]} px; the longest side allowed is {MAX_SIDE} px "
            "(downscale it first)"
        )
    if array.ndim == 3 and array.shape[2] not in (1, 3, 4):
        raise ImageError(f"{name}: expected 1, 3 or 4 channels, got {array.shape[2]}")
    if array.dtype == np.bool_:
        array = array.astype(np.uint8) * 255
    elif array.dtype == np.uint16:
        array = (array.astype(np.uint32) * 255 + 32767) // 65535
    elif np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise ImageError(f"{name}: float image contains NaN or infinity")
        array = np.clip(array * 255.0 + 0.5, 0, 255)
    elif array.dtype != np.uint8 and (array.min() < 0 or array.max() > 255):
        raise ImageError(f"{name}: integer pixels must lie in 0..255 for dtype {array.dtype}")
    array = array.astype(np.uint8, copy=False)
    if array.ndim == 2:
        array = array[:, :, None]
    if array.shape[2] == 1:
        array = np.repeat(array, 3, axis=2)
    elif array.shape[2] == 4:
        # Composite on white: transparent regions of logos and screenshots are meant to be background.
        alpha = array[:, :, 3:4].astype(np.float32) / 255.0
        array = (array[:, :, :3].astype(np.float32) * alpha + 255.0 * (1.0 - alpha) + 0.5).astype(np.uint8)
    return np.ascontiguousarray(array)


def cache_pixels(rgb8: np.ndarray, path: str | None = None) -> Image:
    """Put an H×W×3 uint8 array into the cache and return its `Image` (no conversion: see `as_rgb8`)."""
    digest = hashlib.sha1(repr(rgb8.shape).encode() + rgb8.tobytes()).hexdigest()
    _CACHE.put(digest, rgb8)
    return Image(key=digest, width=rgb8.shape[1], height=rgb8.shape[0], path=path)


def _too_large(file: Path, width: int, height: int) -> ImageError:
    return ImageError(
        f"{file}: image is {width}×{height} px; the longest side allowed is {MAX_SIDE} px (downscale it first)"
    )


def _probe_size(file: Path) -> tuple[int, int] | None:
    """(width, height) from the file header without decoding the pixels; None when PIL cannot tell."""
    from PIL import Image as PILImage

    try:
        with PILImage.open(file) as pil:
            return pil.size
    except PILImage.DecompressionBombError as error:  # PIL refuses > ~179 Mpx before decoding
        raise ImageError(f"{file}: image is too large to read ({error})") from None
    except Exception:  # a format only OpenCV knows, or not an image: decided by the decode below
        return None


def _check_complete(file: Path) -> None:
    """Refuse a JPEG without its end marker or a PNG without its IEND chunk: a cut-off download.

    OpenCV decodes what it can of a truncated file and returns it without a word (the missing rows
    grey), which would then be restored and scored as if it were the picture.
    """
    with file.open("rb") as handle:
        head = handle.read(8)
        handle.seek(max(0, file.stat().st_size - 4096))
        tail = handle.read()
    if head.startswith(b"\xff\xd8") and b"\xff\xd9" not in tail:
        raise ImageError(f"{file}: not a readable image: truncated JPEG (no end-of-image marker)")
    if head.startswith(b"\x89PNG\r\n\x1a\n") and b"IEND" not in tail:
        raise ImageError(f"{file}: not a readable image: truncated PNG (no IEND chunk)")


def load_image(path: str | os.PathLike[str]) -> Image:
    """Read an image file into the cache; unreadable, empty or oversized files raise `ImageError`.

    Grayscale, RGBA (composited on white), palette and 16-bit files are converted to 8-bit RGB. The
    size is read from the header first, so an oversized file is refused before its pixels are decoded.
    """
    import cv2

    file = Path(path)
    if not file.exists():
        raise ImageError(f"{file}: no such file")
    if not file.is_file():
        raise ImageError(f"{file}: not a file")
    if file.stat().st_size == 0:
        raise ImageError(f"{file}: file is empty (0 bytes)")
    _check_complete(file)
    size = _probe_size(file)
    if size is not None and max(size) > MAX_SIDE:
        raise _too_large(file, *size)
    if size is not None and min(size) == 0:
        raise ImageError(f"{file}: image is empty ({size[0]}×{size[1]} px)")
    raw = cv2.imread(str(file), cv2.IMREAD_UNCHANGED)
    if raw is None:
        try:
            from PIL import Image as PILImage

            with PILImage.open(file) as pil:
                if max(pil.size) > MAX_SIDE:
                    raise _too_large(file, *pil.size)
                raw = np.asarray(pil.convert("RGBA" if "A" in pil.getbands() else "RGB"))
        except ImageError:
            raise
        except Exception as error:
            raise ImageError(f"{file}: not a readable image ({type(error).__name__}: {error})") from None
    elif raw.ndim == 3:
        raw = cv2.cvtColor(raw, cv2.COLOR_BGRA2RGBA if raw.shape[2] == 4 else cv2.COLOR_BGR2RGB)
    return cache_pixels(as_rgb8(raw, name=str(file)), path=str(file))


def save_image(image: Image, path: str | os.PathLike[str]) -> Image:
    """Write `image` to `path` (PNG, JPEG … from the suffix); returns the image with `path` set."""
    import cv2

    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(file), cv2.cvtColor(image.array(), cv2.COLOR_RGB2BGR)):
        raise ImageError(f"{file}: cannot write an image with this suffix")
    return image.model_copy(update={"path": str(file)})


class _PixelCache:
    """LRU of arrays by content hash; evicted entries spill to PNG so an `Image` never dangles."""

    def __init__(self, budget: int) -> None:
        self._budget = budget
        self._bytes = 0
        self._items: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()
        self._spill = Path(tempfile.gettempdir()) / f"goalgraph-images-{os.getpid()}"

    def put(self, key: str, array: np.ndarray) -> None:
        array = array.copy() if array.flags.writeable or not array.flags.c_contiguous else array
        array.setflags(write=False)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return
            self._items[key] = array
            self._bytes += array.nbytes
            while self._bytes > self._budget and len(self._items) > 1:
                old_key, old = self._items.popitem(last=False)
                self._bytes -= old.nbytes
                self._write_spill(old_key, old)

    def get(self, image: Image) -> np.ndarray:
        with self._lock:
            found = self._items.get(image.key)
            if found is not None:
                self._items.move_to_end(image.key)
                return found
        spilled = self._spill / f"{image.key}.png"
        for candidate in (spilled, Path(image.path) if image.path else None):
            if candidate is not None and candidate.is_file():
                loaded = load_image(candidate)
                if loaded.key == image.key:
                    return self.get(loaded)
        raise ImageError(f"image {image.key[:12]}… is no longer available (not cached, no file)")

    def _write_spill(self, key: str, array: np.ndarray) -> None:
        import cv2

        self._spill.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(self._spill / f"{key}.png"), cv2.cvtColor(array, cv2.COLOR_RGB2BGR))


_CACHE = _PixelCache(_CACHE_BYTES)
