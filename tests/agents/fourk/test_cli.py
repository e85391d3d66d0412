"""`goalgraph eval fourk`: user errors exit 2 with a message naming the argument; a run writes results."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
import skimage.data
import typer
from typer.testing import CliRunner

from goalgraph.agents.fourk.cli import command
from goalgraph.tools.image import Image

app = typer.Typer()
app.command()(command)
runner = CliRunner()


def test_bad_image_and_profile_exit_2(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_text("nope")
    result = runner.invoke(app, ["--image", str(bad)])
    assert result.exit_code == 2 and "bad.png" in result.output
    result = runner.invoke(app, ["--image", str(bad), "--profile", "NoSuchProfile"])
    assert result.exit_code == 2 and "NoSuchProfile" in result.output
    result = runner.invoke(app, ["--photos", "not_a_photo", "--out", str(tmp_path / "x.json")])
    assert result.exit_code == 2 and "not_a_photo" in result.output


PHOTO = skimage.data.coffee()[::8, ::8]  # 50×75 RGB


def _write(tmp_path, name: str) -> str:
    """Bad or awkward input files, written the way other tools write them."""
    path = tmp_path / name
    if name == "unreadable.png":
        path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"truncated")
    elif name == "empty.png":
        path.write_bytes(b"")
    elif name == "deep16.png":
        cv2.imwrite(str(path), cv2.cvtColor(PHOTO, cv2.COLOR_RGB2BGR).astype(np.uint16) * 257)
    elif name == "gray.png":
        cv2.imwrite(str(path), cv2.cvtColor(PHOTO, cv2.COLOR_RGB2GRAY))
    elif name == "rgba.png":
        cv2.imwrite(str(path), cv2.cvtColor(PHOTO, cv2.COLOR_RGB2BGRA))
    elif name == "huge.png":
        cv2.imwrite(str(path), np.zeros((8, 20000), np.uint8))  # 20000 px wide
    elif name == "zero_width.npy":  # not an image format at all
        np.save(path, np.zeros((0, 5, 3), np.uint8))
    return str(path)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("unreadable.png", "not a readable image"),
        ("empty.png", "file is empty"),
        ("huge.png", "20000×8 px; the longest side allowed is 16384"),
        ("zero_width.npy", "not a readable image"),
        ("missing.png", "no such file"),
    ],
)
def test_bad_input_files_exit_2_with_a_clear_message(tmp_path, name, message):
    path = _write(tmp_path, name)
    out = tmp_path / "rep"
    result = runner.invoke(app, ["--image", path, "--model", "test", "--report", str(out)])
    assert result.exit_code == 2, result.output
    assert name in result.output and message in " ".join(result.output.split())
    assert "Traceback" not in result.output and not out.exists()  # nothing half-written


@pytest.mark.parametrize("name", ["deep16.png", "gray.png", "rgba.png"])
def test_awkward_input_files_are_converted_and_restored(tmp_path, name):
    path = _write(tmp_path, name)
    result = runner.invoke(
        app,
        ["--image", path, "--profile", "ExpSR-s2-F", "--model", "test", "--report", str(tmp_path / "r")],
    )
    assert result.exit_code == 0, result.output
    final = cv2.imread(str(tmp_path / "r" / "final.png"), cv2.IMREAD_UNCHANGED)
    assert final.dtype == np.uint8 and final.shape == (PHOTO.shape[0] * 2, PHOTO.shape[1] * 2, 3)


def test_restore_one_image_writes_report(tmp_path):
    path = Image.from_array(PHOTO).save(tmp_path / "coffee.png").path
    result = runner.invoke(
        app,
        ["--image", path, "--profile", "ExpSR-s2-F", "--model", "test", "--report", str(tmp_path / "rep")],
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rep" / "index.html").is_file()


def test_eval_contract(tmp_path):
    out = tmp_path / "eval.json"
    result = runner.invoke(
        app, ["--photos", "chelsea", "--levels", "1", "--model", "test", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert set(data) == {"summary", "by_group", "episodes"}
    assert set(data["summary"]) >= {"bicubic", "fourk_fidelity", "fourk_perception"}
    assert np.isfinite(data["summary"]["fourk_fidelity"]["psnr"])
