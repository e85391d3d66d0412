"""`goalgraph eval embodied`: the observe–think–act agent vs ReAct on Embodied-Reasoner tasks.

goalgraph eval embodied --tasks ../shared/data/embodied/tasks.jsonl --scenes ../shared/data/embodied/scenes \
    --systems agent,react --baseline-limit 50 --out results/embodied.json
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import typer

from ._types import PATTERNS, AgentConfig, Pattern

__all__ = ["command"]


def _systems(value: str) -> tuple[str, ...]:
    from ._eval import SYSTEMS

    names = tuple(dict.fromkeys(s.strip() for s in value.split(",") if s.strip()))
    unknown = [s for s in names if s not in SYSTEMS]
    if not names or unknown:
        raise typer.BadParameter(
            f"unknown system(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(SYSTEMS)}",
            param_hint="--systems",
        )
    return names


def _patterns(value: str) -> tuple[Pattern, ...]:
    names = tuple(dict.fromkeys(s.strip() for s in value.split(",") if s.strip()))
    unknown = [s for s in names if s not in PATTERNS]
    if unknown:
        raise typer.BadParameter(
            f"unknown thinking pattern(s) {', '.join(unknown)}; choose from {', '.join(PATTERNS)}",
            param_hint="--llm-thoughts",
        )
    return names  # type: ignore[return-value]


def command(
    tasks: Path = typer.Option(..., "--tasks", help="Embodied-Reasoner tasks.jsonl."),
    scenes: Path = typer.Option(..., "--scenes", help="Directory of FloorPlanN.json scene files."),
    out: Path = typer.Option(Path("results/embodied.json"), "--out", help="Results JSON to write."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="Agent tasks: stratified sample size."),
    model: str = typer.Option(
        "local", "--model", help="local, local:PATH, openai:MODEL@URL, scripted, none."
    ),
    systems: str = typer.Option("agent,react", "--systems", help="Comma-separated: agent, react."),
    baseline_limit: int = typer.Option(
        50, "--baseline-limit", min=0, help="ReAct tasks: stratified sample of the agent's tasks."
    ),
    concurrency: int = typer.Option(4, "--concurrency", min=1, help="Episodes in flight."),
    prior: Path | None = typer.Option(
        None, "--prior", help="Saved co-occurrence prior JSON (default: leave-one-scene-out from --scenes)."
    ),
    resume: bool = typer.Option(
        False, "--resume", help="Finish an interrupted run (skip finished episodes, retry crashed ones)."
    ),
    llm_thoughts: str = typer.Option(
        ",".join(AgentConfig().llm_patterns),
        "--llm-thoughts",
        help="Thinking patterns the LLM writes (comma-separated; the others are composed from the facts).",
    ),
    thought_chars: int = typer.Option(
        AgentConfig().thought_chars,
        "--thought-chars",
        min=16,
        help="Longest LLM thought in characters (one sentence; fewer is faster on a small CPU).",
    ),
) -> None:
    """Evaluate the embodied agent and the ReAct baseline (success, efficiency, completeness, repeat rate,
    steps, seconds, LLM calls per task; a table per family)."""
    from goalgraph.envs.household import SceneError, TaskError

    from ._eval import EmbodiedEvalConfig, load_inputs, run_embodied_eval
    from ._prior import CooccurrencePrior

    chosen = _systems(systems)
    patterns = _patterns(llm_thoughts)
    if not tasks.is_file():
        raise typer.BadParameter(f"file not found: {tasks}", param_hint="--tasks")
    if not scenes.is_dir():
        raise typer.BadParameter(f"directory not found: {scenes}", param_hint="--scenes")
    if out.is_dir():
        raise typer.BadParameter(f"{out} is a directory; give a .json file path", param_hint="--out")
    if model == "none" and "react" in chosen:
        raise typer.BadParameter(
            "the react baseline needs a model; use --systems agent", param_hint="--model"
        )
    if model != "none":
        from goalgraph.llm import model as resolve

        try:
            resolve(model)
        except (ValueError, FileNotFoundError) as error:
            raise typer.BadParameter(str(error), param_hint="--model") from None
    if prior is not None:
        try:
            CooccurrencePrior.load(prior)
        except (OSError, ValueError) as error:
            raise typer.BadParameter(f"{prior}: {error}".splitlines()[0], param_hint="--prior") from None
    config = EmbodiedEvalConfig(
        tasks=tasks,
        scenes=scenes,
        out=out,
        limit=limit,
        model=model,
        systems=chosen,
        baseline_limit=baseline_limit,
        concurrency=concurrency,
        prior=prior,
        resume=resume,
        agent=replace(AgentConfig(), llm_patterns=patterns, thought_chars=thought_chars),
    )
    try:
        load_inputs(config)  # every input problem surfaces before any episode runs or any file is written
    except (TaskError, SceneError, ValueError) as error:
        typer.echo(f"error: {error}", err=True)
        raise typer.Exit(2) from None
    run_embodied_eval(config)
