"""Perception: thresholds decide clear cases, the LLM (typed, constrained to measured candidates) decides
borderline ones and breaks ordering ties; image-capable models get the image; the real local model answers."""

from __future__ import annotations

import pytest
import skimage.data
from pydantic_ai import BinaryContent
from pydantic_ai.messages import ModelResponse, ToolCallPart, UserPromptPart
from pydantic_ai.models.function import FunctionModel

from goalgraph.agents.fourk.evaluation import degrade
from goalgraph.agents.fourk.perception import (
    Analysis,
    analyze,
    candidate_degradations,
    cheapest_orders,
    choose_order,
    decide,
    detect,
    reason,
    reasoning_type,
)
from goalgraph.tools.image import Image
from goalgraph.tools.image.degradation import DegradationMeasures
from goalgraph.tools.image.iqa import IQAScores

# noise present (σ 8 ≥ 6), JPEG grid borderline (1.2), haze absent, low light borderline (0.25).
MEASURES = DegradationMeasures(
    width=64,
    height=64,
    noise_sigma=8.0,
    blur=0.3,
    blur_anisotropy=0.1,
    blockiness=1.2,
    haze=0.1,
    brightness=0.25,
    rain=0.0,
)
ANALYSIS = Analysis(
    iqa=IQAScores(niqe=12.0, brisque=40.0, piqe=50.0), measures=MEASURES, severities=detect(MEASURES)
)


def _answer(reply: dict, seen: list | None = None) -> FunctionModel:
    def respond(messages, info):
        if seen is not None:
            seen.append((messages, info))
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, reply)])

    return FunctionModel(respond)


def test_present_always_borderline_by_llm_absent_never():
    assert candidate_degradations(ANALYSIS, brightening=False) == ["noise", "jpeg compression artifact"]
    assert decide(ANALYSIS, []) == ["noise"]
    assert decide(ANALYSIS, ["jpeg compression artifact", "haze"]) == ["noise", "jpeg compression artifact"]
    assert decide(ANALYSIS, ["dark"], brightening=False) == ["noise"]
    assert decide(ANALYSIS, ["dark"], brightening=True) == ["noise", "dark"]


def test_output_schema_names_only_candidates_and_is_short():
    schema = reasoning_type(["noise", "jpeg compression artifact"]).model_json_schema()
    items = schema["properties"]["degradations"]["items"]
    assert items["enum"] == ["noise", "jpeg compression artifact"]
    assert schema["properties"]["degradations"]["maxItems"] == 2
    assert schema["properties"]["description"]["maxLength"] == 160
    assert "degradations" not in reasoning_type([]).model_json_schema()["properties"]


def test_llm_answer_is_typed_and_recorded():
    seen: list = []
    model = _answer({"degradations": ["jpeg compression artifact"], "description": "noisy"}, seen)
    out = reason(model, ANALYSIS, candidate_degradations(ANALYSIS, brightening=False))
    assert out.error is None and out.answer.degradations == ["jpeg compression artifact"]
    assert out.answer.description == "noisy" and not out.with_image
    prompt = seen[0][0][0].parts[-1].content
    assert "Noise sigma 8.0" in prompt and "jpeg compression artifact (borderline)" in prompt
    # An answer outside the enum does not validate; the call fails softly and thresholds decide.
    bad = reason(_answer({"degradations": ["haze"], "description": "x"}), ANALYSIS, ["noise"])
    assert bad.error is not None and bad.answer.degradations == []


def test_image_goes_to_models_that_accept_images():
    class VisionModel(FunctionModel):
        supports_images = True

    seen: list = []

    def respond(messages, info):
        seen.append(messages)
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, {"description": "a cat"})])

    image = Image.from_array(skimage.data.chelsea()[:64, :64])
    out = reason(VisionModel(respond), ANALYSIS, [], image=image)
    assert out.with_image and out.answer.description == "a cat"
    user = next(p for p in seen[0][0].parts if isinstance(p, UserPromptPart))
    assert any(isinstance(c, BinaryContent) and c.media_type == "image/png" for c in user.content)


def test_llm_breaks_ordering_ties_only():
    agenda = ["deraining", "dehazing", "super-resolution"]
    options = cheapest_orders(agenda)
    assert options == [
        ["deraining", "dehazing", "super-resolution"],
        ["dehazing", "deraining", "super-resolution"],
    ]
    picked = choose_order(_answer({"order": "dehazing -> deraining -> super-resolution"}), options)
    assert picked == options[1]
    assert choose_order(_answer({"order": "nonsense"}), options) == options[0]  # invalid → cheapest
    assert cheapest_orders(["super-resolution", "super-resolution_2x"]) == [
        ["super-resolution_2x", "super-resolution"]
    ]


@pytest.mark.slow
def test_real_local_model_answers_within_the_schema():
    from goalgraph.llm import LocalModel, model

    local = model("local")
    assert isinstance(local, LocalModel)
    hr = skimage.data.chelsea()[:256, 100:356]
    lr = Image.from_array(degrade(hr, 1.3, 18.0, 85, seed=1))
    analysis = analyze(lr)
    candidates = candidate_degradations(analysis, brightening=False)
    assert "noise" in candidates
    out = reason(local, analysis, candidates, image=lr)
    assert out.error is None, out.error
    assert set(out.answer.degradations) <= set(candidates)
    assert 0 < len(out.answer.description) <= 160 and not out.with_image
