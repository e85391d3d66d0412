"""Restoration with Q-MoE and rollback over an image tree.

    from goalgraph.agents.fourk.restoration import Restorer
    result = Restorer(profile, toolbox).run(image, plan)      # RestorationResult: final image, tree, events

Each subtask runs every applicable expert on the current node's image (concurrently), scores each output
with `scoring.quality_score` (denoising steps also with the SURE risk ratio, `scoring.denoising_risk`),
and moves to the best child. When the best score is under the profile's
threshold the step failed: the search backs up (to the parent, and further while a node's remaining
tasks have all been tried first), and the remaining tasks are re-planned with "do not put X first" for
every X already tried there. Every tried branch stays in the tree. When every order from the root has
failed, the run compromises: it continues from the deepest all-successful node and drops the
restoration tasks that failed everywhere (unlike the paper, which can end on a failed image);
super-resolution is never dropped — it runs and its best candidate is accepted, so the output always
has the requested size.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, Field

from goalgraph.tools import Tool, ToolError
from goalgraph.tools.image import Image
from goalgraph.tools.image.experts import experts_for
from goalgraph.traces import SpanKind, set_output, start_span

from .face import FaceRestorer
from .perception import cheapest_orders
from .profiles import Profile
from .scoring import (
    FIDELITY_SIGMA,
    SR_FIDELITY_SIGMA,
    QualityScore,
    denoising_risk,
    quality_score,
    with_risk_ratios,
)

__all__ = ["Candidate", "Event", "Node", "RestorationResult", "Restorer", "fuse", "select_experts"]

Toolbox = Callable[[str], Sequence[Tool[Image, Image]]]


class Candidate(BaseModel):
    """One expert's output for one step."""

    expert: str = Field(description="Expert tool name.")
    image: Image | None = Field(default=None, description="Output image (None when the expert failed).")
    quality: QualityScore | None = Field(
        default=None, description="Q-MoE score parts (None when the expert failed)."
    )
    error: str | None = Field(default=None, description="Failure reason, if the expert failed.")
    seconds: float = Field(default=0.0, description="Wall time of the expert call.")
    thumbnail: str | None = Field(
        default=None, description="Path of a small preview file, when a work dir is set."
    )
    members: list[str] = Field(
        default_factory=list, description="For a fused candidate: the experts whose outputs it averages."
    )

    @property
    def score(self) -> float:
        """The Q-MoE score (−1 for a failed expert)."""
        return -1.0 if self.quality is None else self.quality.score


class Node(BaseModel):
    """A node of the image tree: an image and, per subtask tried from it, the candidates."""

    id: int = Field(description="Node id (0 = input).")
    parent: int | None = Field(default=None, description="Parent node id.")
    subtask: str | None = Field(default=None, description="Subtask that produced this image.")
    expert: str | None = Field(default=None, description="Expert that produced this image.")
    image: Image = Field(description="The image at this node.")
    score: float | None = Field(default=None, description="Q-MoE score of this node's image within its step.")
    failed: bool = Field(default=False, description="Whether this node's step was under the threshold.")
    children: dict[str, list[int]] = Field(
        default_factory=dict, description="Subtask → child node ids (all candidates)."
    )
    best: dict[str, int] = Field(default_factory=dict, description="Subtask → chosen child node id.")


class Event(BaseModel):
    """A step, rollback, re-plan or compromise, in order."""

    kind: str = Field(description="step | rollback | replan | compromise | accept")
    detail: dict[str, Any] = Field(default_factory=dict, description="Event data (subtask, scores, plans …).")


class RestorationResult(BaseModel):
    """Outcome of a restoration run."""

    final: Image = Field(description="The restored image.")
    path: list[tuple[str, str]] = Field(
        description="(subtask, expert) pairs from the input to the final image."
    )
    nodes: list[Node] = Field(description="The whole image tree (node id = index).")
    steps: list[dict[str, Any]] = Field(
        default_factory=list, description="Per executed step: node, subtask, candidates."
    )
    events: list[Event] = Field(default_factory=list, description="Steps, rollbacks, re-plans in order.")
    skipped: list[str] = Field(
        default_factory=list, description="Tasks dropped because they failed in every order."
    )
    seconds: float = Field(default=0.0, description="Wall time of the restoration.")


def select_experts(task: str, profile: Profile, long_side: int) -> list[Tool[Image, Image]]:
    """The built-in experts for `task` under `profile` (SR preference toolbox, Fast4K filter)."""
    require: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    if task.startswith("super-resolution"):
        require = ("fidelity",) if profile.restore_preference == "Fidelity" else ("perception",)
        if profile.fast and long_side >= profile.fast4k_side_thres:
            exclude = ("slow",)
    return experts_for(task, require=require, exclude=exclude)


class Restorer:
    """Runs a plan over an image tree with Q-MoE selection and rollback."""

    def __init__(
        self,
        profile: Profile,
        toolbox: Toolbox | None = None,
        *,
        work_dir: Path | None = None,
        on_step: Callable[[str], None] | None = None,
        faces: tuple[FaceRestorer, int] | None = None,
        choose_order: Callable[[list[list[str]]], list[str]] | None = None,
    ) -> None:
        self.profile = profile
        self.choose_order = choose_order
        self.faces = faces
        self.toolbox = toolbox
        self.work_dir = work_dir
        self.on_step = on_step
        self.nodes: list[Node] = []
        self.events: list[Event] = []
        self.steps: list[dict[str, Any]] = []

    # --- tree helpers -------------------------------------------------------------------------
    def _path(self, node: Node) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        while node.parent is not None:
            out.append((node.subtask or "", node.expert or ""))
            node = self.nodes[node.parent]
        return out[::-1]

    def _experts(self, task: str, image: Image) -> Sequence[Tool[Image, Image]]:
        if self.toolbox is not None:
            return self.toolbox(task)
        return select_experts(task, self.profile, max(image.width, image.height))

    # --- one Q-MoE step ----------------------------------------------------------------------
    def _run_step(self, node: Node, subtask: str) -> Node:
        experts = list(self._experts(subtask, node.image))
        if not experts:
            raise ValueError(f"no expert serves task {subtask!r}")
        with start_span(
            f"qmoe {subtask}",
            kind=SpanKind.CHAIN,
            attributes={
                "fourk.subtask": subtask,
                "fourk.node": node.id,
                "fourk.experts": [e.name for e in experts],
            },
        ) as span:
            candidates = asyncio.run(self._candidates(experts, node.image, subtask))
            fused = self._fuse(candidates, node.image, subtask)
            for cand in [*candidates, *([fused] if fused else [])]:
                if cand.image is not None and self.work_dir is not None:
                    cand.thumbnail = _thumbnail(
                        cand.image, self.work_dir / "thumbs", f"n{node.id}-{subtask}-{cand.expert}"
                    )
            ranked = sorted(candidates, key=self._rank_key(subtask, candidates), reverse=True)
            if fused is not None:
                # The fused output is the step's choice; the members stay in the tree beside it.
                ranked.insert(0, fused)
                span.set_attribute("fourk.fused", fused.members)
            children = []
            for cand in ranked:
                if cand.image is None:
                    continue
                child = Node(
                    id=len(self.nodes),
                    parent=node.id,
                    subtask=subtask,
                    expert=cand.expert,
                    image=cand.image,
                    score=cand.score,
                )
                self.nodes.append(child)
                children.append(child.id)
            if not children:
                raise ValueError(
                    f"every expert for {subtask!r} failed: "
                    + "; ".join(f"{c.expert}: {c.error}" for c in candidates)
                )
            node.children[subtask] = children
            best = self.nodes[children[0]]
            node.best[subtask] = best.id
            best.failed = best.score is not None and best.score < self.profile.rollback_threshold
            summary = [
                {
                    "expert": c.expert,
                    "score": round(c.score, 4),
                    "thumbnail": c.thumbnail,
                    **({"error": c.error} if c.error else {}),
                }
                for c in ranked
            ]
            span.set_attribute("fourk.chosen", best.expert or "")
            span.set_attribute("fourk.best_score", float(best.score or 0.0))
            thumbs = [c.thumbnail for c in ranked if c.thumbnail]
            if thumbs:
                span.set_attribute("fourk.thumbnails", thumbs)
            set_output(span, summary)
        face_report = None
        if subtask.startswith("super-resolution") and not best.failed:
            best.image = _color_fix(best.image, node.image)
            if self.faces is not None and self.faces[1] > 0:
                best.image, face_report = self.faces[0].restore(best.image, faces_before=self.faces[1])
        self.steps.append(
            {
                "node": node.id,
                "subtask": subtask,
                "chosen": best.expert,
                "child": best.id,
                "failed": best.failed,
                "candidates": [c.model_dump(mode="json") for c in ranked],
                "faces": face_report,
            }
        )
        self.events.append(
            Event(
                kind="step",
                detail={
                    "subtask": subtask,
                    "from": node.id,
                    "chosen": best.expert,
                    "score": best.score,
                    "failed": best.failed,
                },
            )
        )
        if self.on_step is not None:
            self.on_step(f"{subtask}: {best.expert} ({best.score:.3f})")
        return best

    async def _candidates(
        self, experts: list[Tool[Image, Image]], image: Image, subtask: str
    ) -> list[Candidate]:
        gate = asyncio.Semaphore(self.profile.max_workers)
        sigma = SR_FIDELITY_SIGMA if subtask.startswith("super-resolution") else FIDELITY_SIGMA

        async def one(expert: Tool[Image, Image]) -> Candidate:
            async with gate:
                start = time.perf_counter()
                try:
                    out = await expert.acall(image)
                except ToolError as error:
                    return Candidate(
                        expert=expert.name, error=error.reason, seconds=time.perf_counter() - start
                    )
                seconds = time.perf_counter() - start
                quality = await asyncio.to_thread(
                    quality_score,
                    out,
                    image,
                    fidelity_weight=self.profile.fidelity_weight,
                    fidelity_sigma=sigma,
                )
                if subtask == "denoising":
                    try:
                        risk = await denoising_risk(expert.acall, image, denoised=out)
                    except (ToolError, ValueError):
                        risk = None  # scored without the SURE term
                    quality = quality.model_copy(update={"risk": risk})
                return Candidate(expert=expert.name, image=out, quality=quality, seconds=seconds)

        candidates = list(await asyncio.gather(*(one(e) for e in experts)))
        scored = [(c, c.quality) for c in candidates if c.quality is not None]
        capped = with_risk_ratios([q for _, q in scored], fidelity_weight=self.profile.fidelity_weight)
        for (c, _), quality in zip(scored, capped, strict=True):
            c.quality = quality
        return candidates

    def _rank_key(self, subtask: str, candidates: list[Candidate]) -> Callable[[Candidate], float]:
        # Fidelity denoising steps rank by the SURE risk, the estimate of each output's error against the
        # clean image, when every scored candidate has one; elsewhere by the score. Chosen on the
        # calibration photos with the fused SR step downstream (29.75 dB vs 29.35 for the risk-capped
        # score) and confirmed on the held-out ones (docs/agents/fourk.md, "Denoiser choice").
        by_risk = (
            subtask == "denoising"
            and self.profile.restore_preference == "Fidelity"
            and all(c.quality.risk is not None for c in candidates if c.quality is not None)
        )
        if not by_risk:
            return lambda c: c.score
        return lambda c: -1e9 if c.quality is None or c.quality.risk is None else -c.quality.risk

    def _fuse(self, candidates: list[Candidate], image: Image, subtask: str) -> Candidate | None:
        # Why a mean: the Fidelity toolbox's networks are MSE estimators whose errors are partly
        # independent, so their average has a lower error than the best of them; the no-reference score
        # cannot tell which one that is (it prefers the sharpest). On photos outside the benchmark the
        # mean beat every single network after each denoiser (docs/agents/fourk.md, "SR fusion").
        if not (subtask.startswith("super-resolution") and self.profile.fusion):
            return None
        outputs = [
            (c.expert, c.image.array())
            for c in candidates
            if c.image is not None and c.score >= self.profile.rollback_threshold
        ]
        if not outputs:
            return None
        shapes = [pixels.shape for _, pixels in outputs]
        common = max(shapes, key=shapes.count)  # experts that misbehave on size are left out
        members = [(name, pixels) for name, pixels in outputs if pixels.shape == common]
        if len(members) < 2:
            return None
        start = time.perf_counter()
        fused = fuse([pixels for _, pixels in members])
        quality = quality_score(
            fused, image, fidelity_weight=self.profile.fidelity_weight, fidelity_sigma=SR_FIDELITY_SIGMA
        )
        names = [name for name, _ in members]
        return Candidate(
            expert=f"fusion({'+'.join(names)})",
            image=fused,
            quality=quality,
            members=names,
            seconds=time.perf_counter() - start,
        )

    # --- the plan loop with rollback ---------------------------------------------------------
    def run(self, image: Image, plan: list[str]) -> RestorationResult:
        """Execute `plan` from `image`; returns the final image and the whole tree."""
        start = time.perf_counter()
        self.nodes = [Node(id=0, image=image)]
        self.events, self.steps = [], []
        initial = list(plan)
        plan = list(plan)
        node = self.nodes[0]
        rollbacks = 0
        skipped: list[str] = []
        accepted: set[str] = set()  # tasks that failed everywhere but must run (super-resolution)
        while plan:
            subtask = plan.pop(0)
            node = self._run_step(node, subtask)
            if node.failed and subtask in accepted:
                self.events.append(Event(kind="accept", detail={"subtask": subtask, "node": node.id}))
                continue
            if not node.failed or not self.profile.with_rollback or rollbacks >= self.profile.max_rollbacks:
                continue
            rollbacks += 1
            node, plan = self._roll_back(node, plan)
            if node.id == 0 and len(node.children) >= len(set(plan)):
                node, plan, dropped = self._compromise(initial)
                skipped += dropped
                accepted |= {t for t in plan if t.startswith("super-resolution")}
                continue
            tried = list(node.children)
            options = cheapest_orders(plan, avoid_first=tried)
            new_plan = (
                self.choose_order(options)
                if self.choose_order is not None and len(options) > 1
                else options[0]
            )
            self.events.append(
                Event(kind="replan", detail={"at": node.id, "avoid_first": tried, "plan": new_plan})
            )
            plan = new_plan
        return RestorationResult(
            final=node.image,
            path=self._path(node),
            nodes=self.nodes,
            steps=self.steps,
            events=self.events,
            skipped=skipped,
            seconds=time.perf_counter() - start,
        )

    def _roll_back(self, node: Node, plan: list[str]) -> tuple[Node, list[str]]:
        steps = 0
        while node.parent is not None:
            plan.insert(0, node.subtask or "")
            node = self.nodes[node.parent]
            steps += 1
            # Stay here if some remaining task has not been tried first from this node yet.
            if len(set(node.children)) < len(set(plan)) or node.parent is None:
                break
        self.events.append(
            Event(kind="rollback", detail={"to": node.id, "steps": steps, "remaining": list(plan)})
        )
        return node, plan

    def _compromise(self, initial: list[str]) -> tuple[Node, list[str], list[str]]:
        failed_tasks = {n.subtask for n in self.nodes if n.failed and n.subtask}

        def healthy(n: Node) -> bool:
            while n.parent is not None:
                parent = self.nodes[n.parent]
                if n.failed or parent.best.get(n.subtask or "") != n.id:
                    return False
                n = parent
            return True

        good = [n for n in self.nodes if healthy(n)]
        best = max(good, key=lambda n: (len(self._path(n)), n.score or 0.0))
        done = [s for s, _ in self._path(best)]
        remaining = list(initial)
        for task in done:
            remaining.remove(task)
        # Restoration tasks that failed everywhere are dropped; super-resolution never is: the output
        # size is the profile's contract, so it runs with its best candidate accepted (as the paper
        # continues from its best, possibly failed, descendant).
        dropped = [t for t in remaining if t in failed_tasks and not t.startswith("super-resolution")]
        plan = [t for t in remaining if t not in dropped]
        self.events.append(Event(kind="compromise", detail={"to": best.id, "dropped": dropped, "plan": plan}))
        return best, plan, dropped


def fuse(outputs: Sequence[Image | np.ndarray]) -> Image:
    """The pixel mean of same-sized expert outputs, rounded to 8 bit (what a fusing SR step outputs)."""
    arrays = [o.array() if isinstance(o, Image) else o for o in outputs]
    mean = np.mean(arrays, axis=0, dtype=np.float32)
    return Image.from_array(np.clip(mean + 0.5, 0, 255).astype(np.uint8))


def _thumbnail(image: Image, folder: Path, stem: str, side: int = 160) -> str:
    import cv2

    from goalgraph.tools.image import save_image

    pixels = image.array()
    factor = side / max(pixels.shape[:2])
    small = cv2.resize(
        pixels, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_CUBIC
    )
    path = folder / f"{stem.replace(' ', '_')}.jpg"
    save_image(Image.from_array(small), path)
    return str(path)


def _color_fix(out: Image, reference: Image) -> Image:
    # The paper's global colour alignment after SR on large outputs: per-channel mean/std of the output
    # matched to the input's (AdaIN), which undoes the colour drift some SR networks introduce.
    if max(out.width, out.height) < 1024:
        return out
    src = out.array().astype(np.float32)
    ref = reference.array().reshape(-1, 3).astype(np.float32)
    mean_o, std_o = src.reshape(-1, 3).mean(0), src.reshape(-1, 3).std(0) + 1e-6
    fixed = (src - mean_o) / std_o * (ref.std(0) + 1e-6) + ref.mean(0)
    return Image.from_array(np.clip(fixed + 0.5, 0, 255).astype(np.uint8))
