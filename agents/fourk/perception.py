"""The perception agent: analyse → reason about degradations (LLM) → upscale factor → ordered task plan.

    from goalgraph.agents.fourk.perception import build_perception
    graph = build_perception(model, profile)
    state = graph.invoke({"image": image})       # state["plan"] == ["denoising", "super-resolution"]

Deterministic thresholds on measured numbers decide clear cases; the LLM reads every number and the
verdicts, names which candidate degradations the image shows (its typed output can only name measured
candidates: an enum in the decoding grammar), writes the description, and picks among equally cheap
task orders. Present degradations are always treated and absent ones never (a 135M model is weak, so
it is not trusted with what a threshold decides well); the LLM decides the borderline ones. Models that
accept images (`supports_images`) also get the image. The plan orders tasks by ordering experience
(restoration before super-resolution, dehazing/deraining first …) and honours "do not put X first".
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Sequence
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, create_model

from goalgraph.llm import literal_of
from goalgraph.tools.image import Image
from goalgraph.tools.image.degradation import DegradationMeasures, measure
from goalgraph.tools.image.iqa import IQAScores, no_reference
from goalgraph.traces import SpanKind, set_output, start_span

from .profiles import Profile

__all__ = [
    "DEGRADATION_TASK",
    "ORDER_RANK",
    "Analysis",
    "DegradationReasoning",
    "PerceptionState",
    "Reasoning",
    "Severity",
    "analyze",
    "build_perception",
    "candidate_degradations",
    "cheapest_orders",
    "choose_order",
    "decide",
    "detect",
    "order_tasks",
    "reason",
    "reasoning_type",
    "target_factor",
    "upscale_tasks",
]

DEGRADATION_TASK: dict[str, str] = {
    "noise": "denoising",
    "motion blur": "motion deblurring",
    "defocus blur": "defocus deblurring",
    "haze": "dehazing",
    "rain": "deraining",
    "dark": "brightening",
    "jpeg compression artifact": "jpeg compression artifact removal",
}
"""Degradation → the task that removes it (the paper's mapping)."""

ORDER_RANK: dict[str, int] = {
    "dehazing": 0,
    "deraining": 0,
    "brightening": 1,
    "jpeg compression artifact removal": 2,
    "denoising": 3,
    "motion deblurring": 4,
    "defocus deblurring": 4,
    "super-resolution_2x": 6,
    "super-resolution": 7,
}
"""Ordering experience: lower runs earlier. Weather/illumination first, then compression and noise,
then deblurring (deconvolution amplifies noise), super-resolution last (it enlarges remaining artefacts);
×8 runs ×2 before ×4, as the paper's agenda lists them (the ×4 step then works on the smaller image)."""


class Severity(BaseModel):
    """A degradation's measured evidence and the deterministic verdict."""

    model_config = ConfigDict(frozen=True)

    degradation: str = Field(description="Degradation name.")
    value: float = Field(description="The measured indicator.")
    verdict: Literal["absent", "borderline", "present"] = Field(description="Threshold decision.")


class Analysis(BaseModel):
    """What the analyser measured on an image."""

    model_config = ConfigDict(frozen=True)

    iqa: IQAScores = Field(description="No-reference quality scores.")
    measures: DegradationMeasures = Field(description="Degradation estimators.")
    severities: list[Severity] = Field(description="Per-degradation threshold verdicts.")


class DegradationReasoning(BaseModel):
    """The LLM's typed answer (decoded under `reasoning_type`, which narrows `degradations` per image)."""

    degradations: list[str] = Field(
        default_factory=list, description="Candidate degradations the image shows, most severe first."
    )
    description: str = Field(default="", description="One sentence: what the image shows and its quality.")


class Reasoning(BaseModel):
    """What the perception LLM was asked and answered, for reports, spans and benchmarks."""

    model: str = Field(description="Model name (pydantic-ai `model_name`).")
    candidates: list[str] = Field(description="Degradations offered to the model (present or borderline).")
    answer: DegradationReasoning = Field(description="The typed answer (empty when the call failed).")
    with_image: bool = Field(default=False, description="Whether the image itself was sent.")
    seconds: float = Field(default=0.0, description="Wall time of the call.")
    error: str | None = Field(default=None, description="Why the call failed, if it did.")


class PerceptionState(TypedDict, total=False):
    """State of the perception subgraph."""

    image: Image
    avoid_first: list[str]
    analysis: Analysis
    degradations: list[str]
    description: str
    reasoning: Reasoning
    factor: int
    agenda: list[str]
    plan: list[str]


# (present threshold, borderline threshold) — values are in the estimators' physical units.
_THRESHOLDS: dict[str, tuple[float, float]] = {
    "noise": (6.0, 3.5),  # σ in grey levels
    "jpeg compression artifact": (1.35, 1.15),  # block-border / interior gradient ratio
    "blur": (0.55, 0.45),  # Crété-Roffet blur effect
    "haze": (0.45, 0.35),  # mean dark channel
    "rain": (0.02, 0.008),  # streak pixel fraction
}


def detect(measures: DegradationMeasures) -> list[Severity]:
    """Threshold verdicts per degradation from the measured numbers."""

    def verdict(
        value: float, present: float, border: float, *, below: bool = False
    ) -> Literal["absent", "borderline", "present"]:
        if below:
            value, present, border = -value, -present, -border
        return "present" if value >= present else "borderline" if value >= border else "absent"

    m = measures
    blur_kind = "motion blur" if m.blur_anisotropy > 0.5 else "defocus blur"
    return [
        Severity(
            degradation="noise", value=m.noise_sigma, verdict=verdict(m.noise_sigma, *_THRESHOLDS["noise"])
        ),
        Severity(
            degradation="jpeg compression artifact",
            value=m.blockiness,
            verdict=verdict(m.blockiness, *_THRESHOLDS["jpeg compression artifact"]),
        ),
        Severity(degradation=blur_kind, value=m.blur, verdict=verdict(m.blur, *_THRESHOLDS["blur"])),
        Severity(degradation="haze", value=m.haze, verdict=verdict(m.haze, *_THRESHOLDS["haze"])),
        Severity(degradation="rain", value=m.rain, verdict=verdict(m.rain, *_THRESHOLDS["rain"])),
        Severity(
            degradation="dark", value=m.brightness, verdict=verdict(m.brightness, 0.2, 0.28, below=True)
        ),
    ]


def analyze(image: Image) -> Analysis:
    """IQA + degradation estimators + threshold verdicts."""
    measures = measure(image)
    return Analysis(iqa=no_reference(image), measures=measures, severities=detect(measures))


def candidate_degradations(analysis: Analysis, *, brightening: bool = True) -> list[str]:
    """Degradations measured present or borderline (what the LLM may name); `dark` only with brightening."""
    return [
        s.degradation
        for s in analysis.severities
        if s.verdict != "absent" and (brightening or s.degradation != "dark")
    ]


def decide(analysis: Analysis, claimed: Sequence[str], *, brightening: bool = True) -> list[str]:
    """Degradations to treat: every present one, and the borderline ones the LLM `claimed`.

    Absent ones are never treated, whatever the LLM says (the paper drops brightening unless the
    profile allows it, so `dark` needs `brightening`).
    """
    return [
        s.degradation
        for s in analysis.severities
        if (s.verdict == "present" or (s.verdict == "borderline" and s.degradation in claimed))
        and (brightening or s.degradation != "dark")
    ]


def _prompt(analysis: Analysis, candidates: Sequence[str]) -> str:
    m, q = analysis.measures, analysis.iqa
    verdicts = {s.degradation: s.verdict for s in analysis.severities}
    lines = [
        f"Image {m.width}x{m.height} px. NIQE {q.niqe:.2f}, BRISQUE {q.brisque:.1f}, PIQE {q.piqe:.1f} (lower is better).",
        f"Noise sigma {m.noise_sigma:.1f} grey levels; blur {m.blur:.2f} (0 sharp..1 flat), anisotropy "
        f"{m.blur_anisotropy:.2f}; JPEG blockiness {m.blockiness:.2f} (1 = none); haze {m.haze:.2f}; "
        f"brightness {m.brightness:.2f}; rain streaks {m.rain:.3f}.",
        "Threshold verdicts: " + "; ".join(f"{d}: {v}" for d, v in verdicts.items()) + ".",
    ]
    if candidates:
        lines.append(
            "Candidates: "
            + ", ".join(f"{d} ({verdicts.get(d, 'borderline')})" for d in candidates)
            + ". List the candidates the image shows, then describe the image in one sentence."
        )
    else:
        lines.append("No degradation was measured. Describe the image in one sentence.")
    return "\n".join(lines)


def reasoning_type(candidates: Sequence[str]) -> type[BaseModel]:
    """The output type the LLM decodes under: `degradations` can only name `candidates` (a JSON enum).

    The description is capped at 160 characters so a small model cannot ramble into its token limit.
    """
    fields: dict[str, Any] = {}
    if candidates:
        fields["degradations"] = (
            list[literal_of(candidates)],  # type: ignore[misc]
            Field(
                default_factory=list, max_length=len(candidates), description="Degradations the image shows."
            ),
        )
    fields["description"] = (
        str,
        Field(max_length=160, description="One sentence: what the image shows and its quality."),
    )
    return create_model("DegradationAnswer", **fields)


def _accepts_images(model: Any) -> bool:
    from pydantic_ai.models.function import FunctionModel
    from pydantic_ai.models.test import TestModel

    flag = getattr(model, "supports_images", None)
    return bool(flag) if flag is not None else not isinstance(model, FunctionModel | TestModel)


def _png(image: Image) -> bytes:
    import cv2
    import numpy as np

    pixels = image.array()
    factor = min(1.0, 768 / max(pixels.shape[:2]))  # a VLM sees at most ~768 px anyway
    if factor < 1:
        pixels = cv2.resize(pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    ok, buf = cv2.imencode(".png", cv2.cvtColor(np.ascontiguousarray(pixels), cv2.COLOR_RGB2BGR))
    return buf.tobytes() if ok else b""


def reason(
    model: Any, analysis: Analysis, candidates: Sequence[str] = (), *, image: Image | None = None
) -> Reasoning:
    """Ask the LLM (pydantic-ai `Agent`, typed output) which `candidates` the measured image shows.

    `image` is sent as well when the model accepts images; a failed call (weak or unreachable model)
    returns an empty answer with the error, so restoration still runs on the measured verdicts.
    """
    from pydantic_ai import Agent, BinaryContent

    candidates = list(dict.fromkeys(candidates))
    agent = Agent(
        model,
        output_type=reasoning_type(candidates),
        instructions="You are an image-quality expert. Answer from the measurements given.",
    )
    prompt: Any = _prompt(analysis, candidates)
    with_image = image is not None and _accepts_images(model)
    if with_image and image is not None:
        prompt = [prompt, BinaryContent(data=_png(image), media_type="image/png")]
    name = str(getattr(model, "model_name", type(model).__name__))
    start = time.perf_counter()
    try:
        output = agent.run_sync(prompt).output
    except Exception as error:  # a weak or unavailable model must not stop restoration
        return Reasoning(
            model=name,
            candidates=candidates,
            answer=DegradationReasoning(),
            with_image=with_image,
            seconds=time.perf_counter() - start,
            error=f"{type(error).__name__}: {error}"[:300],
        )
    answer = DegradationReasoning(
        degradations=list(dict.fromkeys(getattr(output, "degradations", []))),
        description=str(getattr(output, "description", "")),
    )
    return Reasoning(
        model=name,
        candidates=candidates,
        answer=answer,
        with_image=with_image,
        seconds=time.perf_counter() - start,
    )


def choose_order(model: Any, options: Sequence[Sequence[str]], context: str = "") -> list[str]:
    """Let the LLM pick one of several equally cheap task orders (typed: an enum of the options).

    The paper schedules with an LLM; here ordering experience ranks the orders and the LLM only breaks
    ties. One option, no model, or a failed call → the first option.
    """
    if len(options) <= 1 or model is None:
        return list(options[0]) if options else []
    from pydantic_ai import Agent

    labels = [" -> ".join(option) for option in options]
    choice_type = create_model(
        "OrderChoice", order=(literal_of(labels), Field(description="The order to run the tasks in."))
    )
    agent = Agent(
        model,
        output_type=choice_type,
        instructions="You are an image-restoration planner. Pick the order that restores the image best.",
    )
    prompt = (context + "\n" if context else "") + "Equally good by experience:\n" + "\n".join(labels)
    try:
        picked = str(agent.run_sync(prompt).output.order)  # type: ignore[attr-defined]
    except Exception:  # as in `reason`: the cheapest order is a sound default
        return list(options[0])
    return list(options[labels.index(picked)]) if picked in labels else list(options[0])


def target_factor(long_side: int, profile: Profile) -> int:
    """The paper's rule: explicit factor first; else the smallest of 2/4/8/16 reaching ≥ 4000 px for 4K.

    Without 4K, images whose long side is under `require_sr_size` get the profile's factor (×4 when
    unset); an explicit `ScaleFactor`, or `super-resolution` in `RestoreOption`, lifts that size bar
    (the paper sets it to 10⁶), so the factor then applies to any size.
    """
    if profile.scale_factor is not None:
        return profile.scale_factor
    if profile.upscale_4k:
        if long_side >= 4000:
            return 1
        return next((f for f in (2, 4, 8, 16) if long_side * f >= 4000), 16)
    explicit_sr = "super-resolution" in (profile.restore_option or "").split("+")
    return 4 if explicit_sr or long_side < profile.require_sr_size else 1


def upscale_tasks(factor: int) -> list[str]:
    """SR subtasks for a factor: ×8 = ×2 then ×4, ×16 = ×4 then ×4."""
    return {
        1: [],
        2: ["super-resolution_2x"],
        4: ["super-resolution"],
        8: ["super-resolution_2x", "super-resolution"],
        16: ["super-resolution", "super-resolution"],
    }[factor]


def cheapest_orders(agenda: Sequence[str], avoid_first: Sequence[str] = ()) -> list[list[str]]:
    """Every order of `agenda` with the least ordering-experience cost, never starting with `avoid_first`.

    Cost of an order = rank gaps of the pairs that run against `ORDER_RANK`. Exhaustive over
    permutations, as agendas hold at most a handful of tasks; the agenda's own order comes first.
    """
    if not agenda:
        return []
    scored: list[tuple[float, list[str]]] = []
    for order in dict.fromkeys(itertools.permutations(agenda)):
        if order[0] in avoid_first and any(t not in avoid_first for t in agenda):
            continue
        cost = sum(
            max(0, ORDER_RANK.get(a, 5) - ORDER_RANK.get(b, 5))
            for i, a in enumerate(order)
            for b in order[i + 1 :]
        )
        scored.append((cost, list(order)))
    best = min(cost for cost, _ in scored)
    return [order for cost, order in scored if cost == best]


def order_tasks(agenda: Sequence[str], avoid_first: Sequence[str] = ()) -> list[str]:
    """The cheapest order of `agenda` (ties keep the agenda's order); see `cheapest_orders`."""
    orders = cheapest_orders(agenda, avoid_first)
    return orders[0] if orders else []


def build_perception(model: Any, profile: Profile) -> Any:
    """The perception subgraph (LangGraph): analyze → reason → upscale → plan."""
    from langgraph.graph import END, START, StateGraph

    def analyze_node(state: PerceptionState) -> dict[str, Any]:
        with start_span("fourk analyze", kind=SpanKind.CHAIN, input={"image": state["image"].key}) as span:
            analysis = analyze(state["image"])
            set_output(span, analysis)
        return {"analysis": analysis}

    def reason_node(state: PerceptionState) -> dict[str, Any]:
        analysis = state["analysis"]
        if profile.fixed_plan is not None or profile.restore_option is not None:
            return {"degradations": [], "description": ""}
        candidates = candidate_degradations(analysis, brightening=profile.brightening)
        with start_span("fourk reason", kind=SpanKind.CHAIN, input=_prompt(analysis, candidates)) as span:
            reasoning = reason(model, analysis, candidates, image=state["image"])
            chosen = decide(analysis, reasoning.answer.degradations, brightening=profile.brightening)
            set_output(span, {"degradations": chosen, "llm": reasoning.model_dump()})
        return {"degradations": chosen, "description": reasoning.answer.description, "reasoning": reasoning}

    def upscale_node(state: PerceptionState) -> dict[str, Any]:
        image = state["image"]
        return {"factor": target_factor(max(image.width, image.height), profile)}

    def plan_node(state: PerceptionState) -> dict[str, Any]:
        if profile.fixed_plan is not None:
            return {"agenda": list(profile.fixed_plan), "plan": list(profile.fixed_plan)}
        if profile.restore_option is not None:
            agenda: list[str] = []
            for task in profile.restore_option.split("+"):
                agenda += upscale_tasks(state["factor"]) if task == "super-resolution" else [task]
        else:
            agenda = [DEGRADATION_TASK[d] for d in state.get("degradations", [])] + upscale_tasks(
                state["factor"]
            )
        with start_span("fourk plan", kind=SpanKind.CHAIN, input={"agenda": agenda}) as span:
            options = cheapest_orders(agenda, state.get("avoid_first", []))
            plan = (
                choose_order(model, options, state.get("description", ""))
                if len(options) > 1
                else (options[0] if options else [])
            )
            set_output(span, {"plan": plan, "tied_orders": len(options)})
        return {"agenda": agenda, "plan": plan}

    graph = StateGraph(PerceptionState)
    graph.add_node("analyze", analyze_node)
    graph.add_node("reason", reason_node)
    graph.add_node("upscale", upscale_node)
    graph.add_node("plan", plan_node)
    graph.add_edge(START, "analyze")
    graph.add_edge("analyze", "reason")
    graph.add_edge("reason", "upscale")
    graph.add_edge("upscale", "plan")
    graph.add_edge("plan", END)
    return graph.compile(name="fourk_perception")
