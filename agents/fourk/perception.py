"""The perception agent: analyse → reason about degradations (LLM) → upscale factor → ordered task plan.

    from goalgraph.agents.fourk.perception import build_perception
    graph = build_perception(model, profile)
    state = graph.invoke({"image": image})       # state["plan"] == ["denoising", "super-resolution"]

Deterministic thresholds on measured numbers decide clear cases; the LLM sees all numbers, writes the
description and decides only the borderline degradations (a 135M model is weak, so it is not trusted
with what a threshold decides well). The plan orders tasks by ordering experience (restoration before
super-resolution, dehazing/deraining first …) and honours "do not put X first" after a rollback.
"""

from __future__ import annotations

import itertools
from typing import Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field

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
    "Severity",
    "analyze",
    "build_perception",
    "detect",
    "order_tasks",
    "reason",
    "target_factor",
    "upscale_tasks",
]

Degradation = Literal[
    "noise", "motion blur", "defocus blur", "haze", "rain", "dark", "jpeg compression artifact"
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
    "super-resolution": 6,
}
"""Ordering experience: lower runs earlier. Weather/illumination first, then compression and noise,
then deblurring (deconvolution amplifies noise), super-resolution last (it enlarges remaining artefacts)."""


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
    """The LLM's typed answer: which borderline degradations to treat, and a one-line description."""

    degradations: list[Degradation] = Field(default_factory=list, description="Degradations the image shows.")
    description: str = Field(default="", description="One sentence describing the image and its quality.")


class PerceptionState(TypedDict, total=False):
    """State of the perception subgraph."""

    image: Image
    avoid_first: list[str]
    analysis: Analysis
    degradations: list[str]
    description: str
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


def _prompt(analysis: Analysis) -> str:
    m, q = analysis.measures, analysis.iqa
    lines = [
        f"Image {m.width}x{m.height} px. NIQE {q.niqe:.2f}, BRISQUE {q.brisque:.1f}, PIQE {q.piqe:.1f} (lower is better).",
        f"Noise sigma {m.noise_sigma:.1f} grey levels; blur {m.blur:.2f} (0 sharp..1 flat), anisotropy "
        f"{m.blur_anisotropy:.2f}; JPEG blockiness {m.blockiness:.2f} (1 = none); haze {m.haze:.2f}; "
        f"brightness {m.brightness:.2f}; rain streaks {m.rain:.3f}.",
        "Threshold verdicts: "
        + "; ".join(f"{s.degradation}: {s.verdict}" for s in analysis.severities)
        + ".",
        "List the degradations the image shows and describe it in one sentence.",
    ]
    return "\n".join(lines)


def reason(model: Any, analysis: Analysis) -> DegradationReasoning:
    """Ask the LLM (pydantic-ai `Agent`, typed output) about the measured numbers."""
    from pydantic_ai import Agent

    agent = Agent(
        model,
        output_type=DegradationReasoning,
        instructions="You are an image-quality expert. Answer from the measurements given.",
    )
    try:
        return agent.run_sync(_prompt(analysis)).output
    except Exception as error:  # a weak or unavailable model must not stop restoration
        return DegradationReasoning(description=f"(perception model failed: {type(error).__name__})")


def target_factor(long_side: int, profile: Profile) -> int:
    """The paper's rule: explicit factor first; else the smallest of 2/4/8/16 reaching ≥ 4000 px for 4K."""
    if profile.scale_factor is not None:
        return profile.scale_factor
    if profile.upscale_4k:
        if long_side >= 4000:
            return 1
        return next((f for f in (2, 4, 8, 16) if long_side * f >= 4000), 16)
    return 4 if long_side < profile.require_sr_size else 1


def upscale_tasks(factor: int) -> list[str]:
    """SR subtasks for a factor: ×8 = ×2 then ×4, ×16 = ×4 then ×4."""
    return {
        1: [],
        2: ["super-resolution_2x"],
        4: ["super-resolution"],
        8: ["super-resolution_2x", "super-resolution"],
        16: ["super-resolution", "super-resolution"],
    }[factor]


def order_tasks(agenda: list[str], avoid_first: list[str] | tuple[str, ...] = ()) -> list[str]:
    """Cheapest order of `agenda` under ordering experience, never starting with a task in `avoid_first`.

    Cost of an order = number of pairs that run against `ORDER_RANK` (weighted by the rank gap); ties
    keep the agenda's order. Exhaustive over permutations, as agendas hold at most a handful of tasks.
    """
    if not agenda:
        return []
    best: tuple[float, int, list[str]] | None = None
    for index, order in enumerate(dict.fromkeys(itertools.permutations(agenda))):
        if order[0] in avoid_first and any(t not in avoid_first for t in agenda):
            continue
        cost = sum(
            max(0, ORDER_RANK.get(a, 5) - ORDER_RANK.get(b, 5))
            for i, a in enumerate(order)
            for b in order[i + 1 :]
        )
        if best is None or (cost, index) < best[:2]:
            best = (cost, index, list(order))
    assert best is not None
    return best[2]


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
        if profile.user_define_plan is not None or profile.restore_option is not None:
            return {"degradations": [], "description": ""}
        present = [s.degradation for s in analysis.severities if s.verdict == "present"]
        borderline = [s.degradation for s in analysis.severities if s.verdict == "borderline"]
        with start_span("fourk reason", kind=SpanKind.CHAIN, input=_prompt(analysis)) as span:
            answer = reason(model, analysis)
            chosen = present + [d for d in borderline if d in answer.degradations]
            if not profile.brightening:
                chosen = [d for d in chosen if d != "dark"]
            set_output(span, {"degradations": chosen, "llm": answer.model_dump()})
        return {"degradations": chosen, "description": answer.description}

    def upscale_node(state: PerceptionState) -> dict[str, Any]:
        image = state["image"]
        return {"factor": target_factor(max(image.width, image.height), profile)}

    def plan_node(state: PerceptionState) -> dict[str, Any]:
        if profile.user_define_plan is not None:
            return {"agenda": list(profile.user_define_plan), "plan": list(profile.user_define_plan)}
        if profile.restore_option is not None:
            agenda: list[str] = []
            for task in profile.restore_option.split("+"):
                agenda += upscale_tasks(state["factor"]) if task == "super-resolution" else [task]
        else:
            agenda = [DEGRADATION_TASK[d] for d in state.get("degradations", [])] + upscale_tasks(
                state["factor"]
            )
        with start_span("fourk plan", kind=SpanKind.CHAIN, input={"agenda": agenda}) as span:
            plan = order_tasks(agenda, state.get("avoid_first", []))
            set_output(span, plan)
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
