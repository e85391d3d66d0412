"""Checks every `goalgraph eval …` command runs on its input files before any work.

Each command parses its own formats and names the line and field that is wrong; what they all share is
checked here once: text inputs (JSON, JSON lines, YAML — given directly or as a folder of them) must be
UTF-8. So a file in another encoding is one clear message naming it and the line, exit 2, instead of
a decoder's traceback.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer

__all__ = ["InputFileError", "check_input_files", "with_input_checks"]

_TEXT_SUFFIXES = frozenset({".json", ".jsonl", ".yaml", ".yml"})


class InputFileError(ValueError):
    """An input file the command cannot read as text."""


def _text_files(path: Path) -> Iterator[Path]:
    if path.is_file() and path.suffix.lower() in _TEXT_SUFFIXES:
        yield path
    elif path.is_dir():
        yield from sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in _TEXT_SUFFIXES)


def check_input_files(path: Path, option: str) -> None:
    """Raise `InputFileError` naming `option`, the file and the line when a text input is not UTF-8."""
    for file in _text_files(path):
        data = file.read_bytes()
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputFileError(f"{option} {file}: the file is UTF-16; save it as UTF-8")
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise InputFileError(
                f"{option} {file}: line {line} is not UTF-8 (byte 0x{data[error.start]:02x}); save the file as UTF-8"
            ) from None


def with_input_checks(command: Callable[..., Any]) -> Callable[..., Any]:
    """`command` (a typer command function) checking its existing input paths first."""
    options = {
        name: _option_name(parameter)
        for name, parameter in inspect.signature(command, eval_str=True).parameters.items()
    }

    @functools.wraps(command)
    def checked(**kwargs: Any) -> Any:
        for name, value in kwargs.items():
            if isinstance(value, Path) and value.exists() and name != "out":
                try:
                    check_input_files(value, options.get(name) or f"--{name}")
                except InputFileError as error:
                    typer.echo(f"error: {error}", err=True)
                    raise typer.Exit(2) from None
        return command(**kwargs)

    return checked


def _option_name(parameter: inspect.Parameter) -> str | None:
    """The first ``--flag`` of a typer option, from its default or its ``Annotated`` metadata."""
    candidates = [parameter.default, *getattr(parameter.annotation, "__metadata__", ())]
    for candidate in candidates:
        declared = getattr(candidate, "param_decls", None) or ()
        flags = [d for d in declared if isinstance(d, str) and d.startswith("--")]
        if flags:
            return flags[0]
    return None
