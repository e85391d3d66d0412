"""The options every `goalgraph eval …` command on the harness shares: --resume, --backend, --address.

Each eval command declares what is its own (data, model, metrics); `with_harness_options(command)` adds
the harness's options to it, and `run_eval` applies them to the `EvalConfig` the command builds. So a
new eval command gets resume and Ray without plumbing, and no command can forget them.
"""

from __future__ import annotations

import functools
import inspect
import typing
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal

import typer

if TYPE_CHECKING:
    from ._harness import EvalConfig

__all__ = ["HARNESS_OPTIONS", "apply_harness_options", "with_harness_options"]

BackendName = Literal["asyncio", "ray"]

#: (EvalConfig field, parameter) for each shared option; a command that declares the parameter itself keeps it.
HARNESS_OPTIONS: tuple[tuple[str, inspect.Parameter], ...] = (
    (
        "resume",
        inspect.Parameter(
            "resume",
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Option(
                False,
                "--resume",
                help="Finish an interrupted run (skip finished episodes, retry crashed ones).",
            ),
            annotation=bool,
        ),
    ),
    (
        "backend",
        inspect.Parameter(
            "backend",
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Option(
                "asyncio", "--backend", help="asyncio (this process) or ray (Ray tasks on a cluster)."
            ),
            annotation=BackendName,
        ),
    ),
    (
        "ray_address",
        inspect.Parameter(
            "ray_address",
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Option(
                None, "--address", help="Ray cluster to join (--backend ray; default: start a local one)."
            ),
            annotation=str | None,
        ),
    ),
    (
        "ray_workers",
        inspect.Parameter(
            "ray_workers",
            inspect.Parameter.KEYWORD_ONLY,
            default=typer.Option(2, "--ray-workers", min=1, help="Ray actors, each builds its agent once."),
            annotation=int,
        ),
    ),
)

_OVERRIDES: ContextVar[Mapping[str, Any] | None] = ContextVar("goalgraph_eval_harness_options", default=None)


@contextmanager
def _harness_options(values: Mapping[str, Any]) -> Iterator[None]:
    token = _OVERRIDES.set(values)
    try:
        yield
    finally:
        _OVERRIDES.reset(token)


def apply_harness_options(config: EvalConfig) -> EvalConfig:
    """`config` with the shared options given on the command line (unchanged outside a command)."""
    values = _OVERRIDES.get()
    return replace(config, **values) if values else config


def with_harness_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """`command` (a typer command function) with the shared harness options it does not declare itself."""
    signature = inspect.signature(command, eval_str=True)  # typer needs the types, not their strings
    added = [(field, p) for field, p in HARNESS_OPTIONS if p.name not in signature.parameters]
    if not added:
        return command

    @functools.wraps(command)
    def wrapped(**kwargs: Any) -> Any:
        values = {field: kwargs.pop(p.name) for field, p in added}
        if values.get("ray_address") and values.get("backend") != "ray":
            raise typer.BadParameter("--address needs --backend ray", param_hint="--address")
        with _harness_options(values):
            return command(**kwargs)

    # typer reads the parameters from the signature and the types from the annotations.
    wrapped.__signature__ = signature.replace(  # type: ignore[attr-defined]
        parameters=[*signature.parameters.values(), *(p for _, p in added)]
    )
    wrapped.__annotations__ = {
        **typing.get_type_hints(command, include_extras=True),
        **{p.name: p.annotation for _, p in added},
    }
    del wrapped.__wrapped__  # inspect.signature must not look through to the original
    return wrapped
