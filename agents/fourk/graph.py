"""The 4KAgent graph: perception subgraph → Q-MoE restoration with rollback (→ faces) as one LangGraph.

from goalgraph.agents.fourk import build_fourk, run_fourk
result = run_fourk("photo.png", profile="Gen4K-P")          # FourKResult (final image, tree, plan)
graph = build_fourk(profile="ExpSR-s4-F"); graph.invoke({"image": image})
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypedDict

from pydantic import BaseModel, Field

from goalgraph.tools import Tool
from goalgraph.tools.image import Image, load_image
from goalgraph.tools.image.experts import experts_for
from goalgraph.traces import SpanKind, set_output, start_span

from .face import FaceRestorer
from .perception import Analysis, Reasoning, build_perception, choose_order
from .profiles import Profile, load_profile
from .restoration import RestorationResult, Restorer

__all__ = ["FourKResult", "FourKState", "build_fourk", "resolve_model", "run_fourk"]


class FourKState(TypedDict, total=False):
    """State of the 4KAgent graph (images by reference only)."""

    image: Image
    analysis: Analysis
    degradations: list[str]
    description: str
    reasoning: Reasoning
    factor: int
    agenda: list[str]
    plan: list[str]
    faces: int
    result: RestorationResult


class FourKResult(BaseModel):
    """Everything a 4KAgent run produced."""

    profile: Profile = Field(description="The profile used.")
    input: Image = Field(description="The input image.")
    final: Image = Field(description="The restored, upscaled image.")
    analysis: Analysis | None = Field(default=None, description="Perception measurements of the input.")
    degradations: list[str] = Field(
        default_factory=list, description="Degradations perception decided to treat."
    )
    description: str = Field(default="", description="The perception model's description.")
    reasoning: Reasoning | None = Field(
        default=None, description="The perception LLM's prompt candidates, typed answer and timing."
    )
    factor: int = Field(default=1, description="Upscale factor chosen.")
    plan: list[str] = Field(default_factory=list, description="Initial ordered task plan.")
    faces: int = Field(default=0, description="Faces detected in the input.")
    restoration: RestorationResult = Field(description="Image tree, steps, rollbacks and the chosen path.")
    seconds: float = Field(default=0.0, description="Wall time of the whole run.")


def resolve_model(spec: str | Any) -> Any:
    """A pydantic-ai model: `test` → TestModel; else `goalgraph.llm.model(spec)` when available, else TestModel.

    String specs are resolved once per process (loading the embedded model takes seconds).
    """
    if not isinstance(spec, str):
        return spec
    return _model_for(spec)


@functools.cache
def _model_for(spec: str) -> Any:
    from pydantic_ai.models.test import TestModel

    if spec in ("test", "scripted"):
        return TestModel(custom_output_args={"degradations": [], "description": "scripted perception"})
    try:
        from goalgraph import llm

        factory = getattr(llm, "model", None)
        if factory is not None:
            return factory(spec)
    except Exception:  # the embedded model may be missing or fail to load; perception still has thresholds
        pass
    return TestModel(custom_output_args={"degradations": [], "description": f"({spec} model unavailable)"})


def build_fourk(
    *,
    profile: Profile | str = "Gen4K-P",
    model: Any = None,
    checkpointer: Any = None,
    store: Any = None,
    toolbox: Callable[[str], Sequence[Tool[Image, Image]]] | None = None,
    work_dir: Path | None = None,
    on_step: Callable[[str], None] | None = None,
) -> Any:
    """Compile the 4KAgent LangGraph for one profile (`model` defaults to the profile's perception model)."""
    from langgraph.graph import END, START, StateGraph

    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    llm = resolve_model(model if model is not None else prof.perception_model)
    perception = build_perception(llm, prof)

    def perceive(state: FourKState) -> dict[str, Any]:
        out = perception.invoke({"image": state["image"]})
        faces = len(FaceRestorer.detect(state["image"])) if prof.face_restore else 0
        return {
            key: out[key]
            for key in ("analysis", "degradations", "description", "reasoning", "factor", "agenda", "plan")
            if key in out
        } | {"faces": faces}

    def restore(state: FourKState) -> dict[str, Any]:
        face_experts = toolbox("face restoration") if toolbox is not None else experts_for("face restoration")
        faces = (FaceRestorer(face_experts), state.get("faces", 0)) if prof.face_restore else None
        restorer = Restorer(
            prof,
            toolbox,
            work_dir=work_dir,
            on_step=on_step,
            faces=faces,
            choose_order=lambda options: choose_order(llm, options, state.get("description", "")),
        )
        return {"result": restorer.run(state["image"], list(state.get("plan", [])))}

    graph = StateGraph(FourKState)
    graph.add_node("perceive", perceive)
    graph.add_node("restore", restore)
    graph.add_edge(START, "perceive")
    graph.add_edge("perceive", "restore")
    graph.add_edge("restore", END)
    return graph.compile(checkpointer=checkpointer, store=store, name="fourk")


def run_fourk(
    image: Image | str | Path,
    *,
    profile: Profile | str = "Gen4K-P",
    model: Any = None,
    toolbox: Callable[[str], Sequence[Tool[Image, Image]]] | None = None,
    work_dir: Path | None = None,
    on_step: Callable[[str], None] | None = None,
) -> FourKResult:
    """Run 4KAgent on one image (a path or an `Image`) and return the result with its image tree."""
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    img = image if isinstance(image, Image) else load_image(image)
    start = time.perf_counter()
    with start_span(
        "invoke_agent fourk",
        kind=SpanKind.AGENT,
        attributes={
            "gen_ai.operation.name": "invoke_agent",
            "gen_ai.agent.name": "fourk",
            "fourk.profile": prof.name,
            "fourk.input": img.path or img.key,
        },
    ) as span:
        graph = build_fourk(profile=prof, model=model, toolbox=toolbox, work_dir=work_dir, on_step=on_step)
        state = graph.invoke({"image": img})
        result = FourKResult(
            profile=prof,
            input=img,
            final=state["result"].final,
            analysis=state.get("analysis"),
            degradations=state.get("degradations", []),
            description=state.get("description", ""),
            reasoning=state.get("reasoning"),
            factor=state.get("factor", 1),
            plan=state.get("plan", []),
            faces=state.get("faces", 0),
            restoration=state["result"],
            seconds=time.perf_counter() - start,
        )
        set_output(span, {"plan": result.plan, "path": result.restoration.path, "seconds": result.seconds})
    return result
