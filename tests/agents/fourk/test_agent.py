"""End-to-end 4KAgent runs on small images: perception decides, Q-MoE restores, report renders."""

from __future__ import annotations

import numpy as np
import skimage.data
from pydantic_ai.messages import ModelResponse, ToolCallPart
from pydantic_ai.models.function import FunctionModel

from goalgraph.agents.fourk import build_fourk, load_profile, run_fourk, write_report
from goalgraph.agents.fourk.evaluation import degrade
from goalgraph.agents.fourk.face import FaceRestorer
from goalgraph.tools.image import Image, iqa
from goalgraph.tools.image.experts import experts_for

HR = skimage.data.chelsea()[:256, 100:356]
LR = Image.from_array(degrade(HR, 1.3, 18.0, 85, seed=1))


def _claims_every_offered(seen: list[dict]) -> FunctionModel:
    """A model that names every degradation its output schema offers (and records the schema)."""

    def respond(messages, info):
        tool = info.output_tools[0]
        schema = tool.parameters_json_schema
        seen.append(schema)
        items = schema["properties"].get("degradations", {}).get("items", {})
        offered = items.get("enum", [items["const"]] if "const" in items else [])
        return ModelResponse(
            parts=[ToolCallPart(tool.name, {"degradations": offered, "description": "a cat"})]
        )

    return FunctionModel(respond)


def test_fidelity_run_denoises_then_upscales_and_beats_bicubic(tmp_path):
    seen: list[dict] = []
    result = run_fourk(LR, profile="GenSR-s4-F", model=_claims_every_offered(seen), work_dir=tmp_path)
    # The model could only name measured candidates (noise is present; haze, measured absent, is not
    # even expressible), and the measured noise decides "denoising".
    items = seen[0]["properties"]["degradations"]["items"]
    assert items.get("enum", [items.get("const")]) == ["noise"]
    assert result.plan == ["denoising", "super-resolution"]
    assert result.degradations == ["noise"] and result.description == "a cat"
    assert result.reasoning is not None and result.reasoning.error is None
    assert (result.final.width, result.final.height) == (LR.width * 4, LR.height * 4)
    bicubic = experts_for("super-resolution", require=("baseline",))
    bic = next(e for e in bicubic if e.name == "bicubic_x4").call(LR)
    assert iqa.psnr_y(result.final, HR) > iqa.psnr_y(bic, HR) + 0.5
    page = write_report(result, tmp_path, title="test")
    text = page.read_text()
    assert "denoising" in text and "crop_bicubic.png" in text and (tmp_path / "final.png").is_file()
    assert len(list((tmp_path / "thumbs").glob("*.jpg"))) >= 5


def test_graph_with_checkpointer_keeps_state_small():
    from langgraph.checkpoint.memory import InMemorySaver

    saver = InMemorySaver()
    graph = build_fourk(profile="ExpSR-s4-F", model="test", checkpointer=saver)
    config = {"configurable": {"thread_id": "t1"}}
    state = graph.invoke({"image": LR}, config)
    assert state["plan"] == ["super-resolution"] and state["result"].final.width == LR.width * 4
    snapshot = graph.get_state(config)
    assert snapshot.values["image"].key == LR.key  # images travel by reference


def test_face_pipeline_detects_and_keeps_faces():
    face_photo = Image.from_array(skimage.data.astronaut())
    faces = FaceRestorer.detect(face_photo)
    assert len(faces) == 1
    restorer = FaceRestorer(experts_for("face restoration"))
    small = Image.from_array(skimage.data.astronaut()[::2, ::2])
    upscaled = experts_for("super-resolution_2x", require=("baseline",))[-1].call(small)
    out, report = restorer.restore(upscaled, faces_before=1)
    assert report["faces_after"] == 1 and len(report["faces"]) == 1
    assert set(report["faces"][0]["scores"]) >= {"original", "face_nlmeans_sharpen"}
    assert out.shape == upscaled.shape
    assert np.abs(out.array().astype(int) - upscaled.array().astype(int)).mean() < 10
    unchanged, report2 = restorer.restore(upscaled, faces_before=3)  # count mismatch → left alone
    assert unchanged is upscaled and report2["faces"] == []


def test_explicit_option_and_profile_toolboxes():
    from goalgraph.agents.fourk import select_experts

    perception = {e.name for e in select_experts("super-resolution", load_profile("GenSR-s4-P"), 100)}
    fidelity = {e.name for e in select_experts("super-resolution", load_profile("GenSR-s4-F"), 100)}
    fast = {e.name for e in select_experts("super-resolution", load_profile("FastGen4K-P"), 2048)}
    assert "realesrgan_x4plus" in perception and "realesrgan_x4plus" not in fidelity
    assert "realesrgan_x4plus" not in fast and "realesr_animevideov3_x4" in fast
