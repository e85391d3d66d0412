"""The shell blocks in README.md and docs/ name real commands, and docs/cli.md is the CLI's own output.

Python blocks are executed (test_code_blocks.py). Shell blocks mostly start full evaluations or servers
that take hours or never end, so here each command line is checked against what it calls instead:
a `goalgraph …` line resolves to a real sub-command and uses only options that sub-command declares;
a `python benchmarks/X.py …` line names a script whose argparse accepts each flag; a `make X` line names
a Makefile target. Commands of other tools (vLLM) are listed and allowed by name only.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main

from goalgraph.cli import app

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
SHELL_BLOCK = re.compile(r"^```(?:bash|console|sh|shell)\n(.*?)^```", re.M | re.S)
OTHER_TOOLS = {"vllm"}  # documented as the production model server; not part of this project


def _command_lines() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        text = page.read_text(encoding="utf-8")
        for block in SHELL_BLOCK.finditer(text):
            first_line = text[: block.start()].count("\n") + 2
            for offset, raw in enumerate(block.group(1).splitlines()):
                line = raw.split("  #")[0].strip().removeprefix("$ ").strip()
                if line:
                    found.append((f"{page.relative_to(ROOT)}:{first_line + offset}", line))
    return found


COMMANDS = _command_lines()


def _resolve(words: list[str]) -> tuple[Any, list[str]]:
    """The (typer-vendored click) command that `goalgraph WORDS…` reaches, and the words after its name."""
    command: Any = typer.main.get_command(app)
    rest = list(words)
    while hasattr(command, "get_command") and rest and re.fullmatch(r"[a-z][a-z0-9-]*", rest[0]):
        sub = command.get_command(command.context_class(command), rest[0])
        assert sub is not None, f"no sub-command {rest[0]!r} under {command.name!r}"
        command, rest = sub, rest[1:]
    return command, rest


def test_docs_show_commands() -> None:
    assert sum(line.startswith("goalgraph ") for _, line in COMMANDS) >= 20


@pytest.mark.parametrize(("where", "line"), COMMANDS, ids=[where for where, _ in COMMANDS])
def test_command_line_is_real(where: str, line: str) -> None:
    words = shlex.split(line)
    program = words[0]
    if program == "goalgraph":
        command, rest = _resolve(words[1:])
        declared = {name for param in command.params for name in (*param.opts, *param.secondary_opts)}
        used = {word.split("=")[0] for word in rest if word.startswith("--")}
        if "[OPTIONS]" in rest:  # a usage line of docs/cli.md: the command path is what counts
            return
        assert used <= declared, f"{where}: {line!r} uses {sorted(used - declared)}, not options of it"
    elif program == "python":
        script = ROOT / words[1]
        assert script.is_file(), f"{where}: no script {words[1]}"
        usage = subprocess.run(
            [sys.executable, str(script), "--help"], capture_output=True, text=True, timeout=120, cwd=ROOT
        )
        assert usage.returncode == 0, usage.stderr
        flags = {word.split("=")[0] for word in words[2:] if word.startswith("--")}
        missing = {flag for flag in flags if flag not in usage.stdout}
        assert not missing, f"{where}: {words[1]} has no {sorted(missing)}"
    elif program == "make":
        makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
        for target in words[1:]:
            assert re.search(rf"^{re.escape(target)}:", makefile, re.M), f"{where}: no make target {target}"
    else:
        assert program in OTHER_TOOLS, f"{where}: unknown program {program!r} in {line!r}"


def test_cli_reference_is_generated(tmp_path: Path) -> None:
    generated = tmp_path / "cli.md"
    typer_bin = Path(sys.executable).parent / "typer"
    arguments = [
        "utils",
        "docs",
        "--name",
        "goalgraph",
        "--title",
        "CLI reference",
        "--output",
        str(generated),
    ]
    subprocess.run(
        [str(typer_bin), "goalgraph.cli", *arguments],
        check=True,
        capture_output=True,
        timeout=120,
    )
    expected = generated.read_text(encoding="utf-8")
    assert (ROOT / "docs" / "cli.md").read_text(encoding="utf-8") == expected, "run make docs"
