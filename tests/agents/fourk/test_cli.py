"""`goalgraph eval fourk`: user errors exit 2 with a message naming the argument; a run writes results."""

from __future__ import annotations

import json

import numpy as np
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


def test_restore_one_image_writes_report(tmp_path):
    path = Image.from_array(skimage.data.coffee()[::8, ::8]).save(tmp_path / "coffee.png").path
    result = runner.invoke(
        app, ["--image", path, "--profile", "ExpSR-s2-F", "--report", str(tmp_path / "rep")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "rep" / "index.html").is_file()


def test_eval_contract(tmp_path):
    out = tmp_path / "eval.json"
    result = runner.invoke(app, ["--photos", "chelsea", "--levels", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text())
    assert set(data) == {"summary", "by_group", "episodes"}
    assert set(data["summary"]) >= {"bicubic", "fourk_fidelity", "fourk_perception"}
    assert np.isfinite(data["summary"]["fourk_fidelity"]["psnr"])
