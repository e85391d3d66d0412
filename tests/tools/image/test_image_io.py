"""Image I/O: conversions of awkward inputs and clear errors for bad ones."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from goalgraph.tools.image import Image, ImageError, load_image


def test_image_model_is_small_and_roundtrips(tmp_path):
    pixels = np.random.default_rng(0).integers(0, 255, (64, 80, 3), dtype=np.uint8)
    image = Image.from_array(pixels)
    assert len(image.model_dump_json()) < 200  # a reference, never the pixels
    assert image.shape == (64, 80)
    assert np.array_equal(Image.model_validate_json(image.model_dump_json()).array(), pixels)
    saved = image.save(tmp_path / "x.png")
    assert np.array_equal(load_image(saved.path).array(), pixels)


def test_missing_unreadable_and_empty_files(tmp_path):
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "missing.png")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(ImageError, match="empty"):
        load_image(empty)
    garbage = tmp_path / "garbage.png"
    garbage.write_text("this is not an image")
    with pytest.raises(ImageError, match=r"garbage\.png: not a readable image"):
        load_image(garbage)


def test_sixteen_bit_grayscale_and_rgba_are_converted(tmp_path):
    deep = np.arange(32 * 32, dtype=np.uint16).reshape(32, 32) * 60
    cv2.imwrite(str(tmp_path / "deep.png"), np.stack([deep] * 3, -1))
    img16 = load_image(tmp_path / "deep.png")
    assert img16.array().dtype == np.uint8
    assert abs(int(img16.array()[-1, -1, 0]) - round(int(deep[-1, -1]) * 255 / 65535)) <= 1

    gray = np.full((20, 30), 77, np.uint8)
    cv2.imwrite(str(tmp_path / "gray.png"), gray)
    assert load_image(tmp_path / "gray.png").array().shape == (20, 30, 3)

    rgba = np.zeros((10, 10, 4), np.uint8)
    rgba[..., 2] = 255  # red in BGRA
    rgba[:5, :, 3] = 255  # top half opaque, bottom transparent
    cv2.imwrite(str(tmp_path / "rgba.png"), rgba)
    out = load_image(tmp_path / "rgba.png").array()
    assert tuple(out[0, 0]) == (255, 0, 0) and tuple(out[9, 9]) == (255, 255, 255)


def test_zero_size_and_oversized_arrays(tmp_path):
    with pytest.raises(ImageError, match="empty"):
        Image.from_array(np.zeros((0, 5, 3), np.uint8))
    with pytest.raises(ImageError, match="20000"):
        Image.from_array(np.zeros((4, 20000, 3), np.uint8))
    cv2.imwrite(str(tmp_path / "wide.png"), np.zeros((2, 20000), np.uint8))
    with pytest.raises(ImageError, match=r"wide\.png: image is 20000×2 px"):
        load_image(tmp_path / "wide.png")
    with pytest.raises(ImageError, match="channels"):
        Image.from_array(np.zeros((4, 4, 2), np.uint8))
    with pytest.raises(ImageError, match="NaN"):
        Image.from_array(np.full((4, 4), np.nan))


def test_evicted_pixels_come_back_from_spill(monkeypatch, tmp_path):
    from goalgraph.tools.image import _image

    cache = _image._PixelCache(budget=1)  # everything but the newest entry spills
    cache._spill = tmp_path
    monkeypatch.setattr(_image, "_CACHE", cache)
    first = Image.from_array(np.full((8, 8, 3), 10, np.uint8))
    Image.from_array(np.full((8, 8, 3), 20, np.uint8))
    assert first.array()[0, 0, 0] == 10
