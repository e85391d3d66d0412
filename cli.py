"""The `goalgraph` command: demos, the local model server, evaluations, benchmarks and the trace viewer.

goalgraph demo tools             # a pydantic-ai agent on the embedded model calls two typed tools
goalgraph llm chat "Hello"       # one reply from the embedded model
goalgraph traces serve           # open the trace viewer
"""

from __future__ import annotations

import importlib
import runpy
import sys
from pathlib import Path
from typing import Any

import typer
from rich.console import Console

from goalgraph.evals import with_harness_options, with_input_checks

__all__ = ["app", "main"]

app = typer.Typer(
    no_args_is_help=True, add_completion=False, help="goalgraph: typed-tool agents with GOAP plans."
)
demo_app = typer.Typer(no_args_is_help=True, help="Run a demo (the scripts in examples/).")
eval_app = typer.Typer(no_args_is_help=True, help="Evaluate an agent on a data file.")
app.add_typer(demo_app, name="demo")
app.add_typer(eval_app, name="eval")

# Sub-command groups live beside the code they drive; each module exposes a `typer.Typer` named `app`.
_GROUPS: dict[str, str] = {
    "llm": "goalgraph.llm.cli",
    "traces": "goalgraph.traces.cli",
}
# Each module exposes `command`: a typer-compatible function whose parameters are the options.
_EVALS: dict[str, str] = {
    "embodied": "goalgraph.agents.embodied.cli",
    "rearag": "goalgraph.agents.rearag_cli",
    "resum": "goalgraph.agents.resum_cli",
    "memory-t1": "goalgraph.agents.memory_t1.cli",
    "time-range": "goalgraph.agents.memory_t1.time_range_cli",
    "fourk": "goalgraph.agents.fourk.cli",
}
# Demos are the scripts in examples/ (one per agent), run as if by `python examples/SCRIPT`.
_DEMOS: dict[str, str] = {
    "tools": "typed_tools_demo.py",
    "goap": "goap_demo.py",
    "fourk": "fourk_demo.py",
    "embodied": "embodied_demo.py",
    "rearag": "rearag_demo.py",
    "resum": "resum_demo.py",
    "memory-t1": "memory_t1_demo.py",
    "showcase": "showcase.py",
}
_EXAMPLES = Path(__file__).resolve().parent / "examples"


def _optional(module: str) -> Any | None:
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as error:
        # Only a missing goalgraph module means "not built yet"; a missing dependency is a real error.
        if error.name and (error.name == module or module.startswith(error.name + ".")):
            return None
        raise


def _make_demo(script: Path) -> Any:
    def run() -> None:
        sys.argv = [str(script)]
        runpy.run_path(str(script), run_name="__main__")

    docstring = script.read_text(encoding="utf-8").split('"""')
    run.__doc__ = (
        docstring[1].strip().splitlines()[0] if len(docstring) > 2 else f"Run examples/{script.name}."
    )
    return run


for _name, _module in _GROUPS.items():
    _mod = _optional(_module)
    if _mod is not None:
        app.add_typer(_mod.app, name=_name)

# 4KAgent's evaluation is one batch over a few photos, not episodes on the harness.
_OFF_HARNESS = {"fourk"}

for _name, _module in _EVALS.items():
    _mod = _optional(_module)
    if _mod is not None:
        command = with_input_checks(_mod.command)
        command = command if _name in _OFF_HARNESS else with_harness_options(command)
        eval_app.command(_name)(command)

for _name, _script in _DEMOS.items():
    if (_EXAMPLES / _script).is_file():
        demo_app.command(_name)(_make_demo(_EXAMPLES / _script))


def main() -> None:
    """Entry point of the `goalgraph` console script."""
    try:
        app()
    except KeyboardInterrupt:
        Console(stderr=True).print("[yellow]interrupted[/yellow]")
        sys.exit(130)


if __name__ == "__main__":
    main()
