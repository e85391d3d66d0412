"""Packaging: every package directory ships, and the layout's dependency direction holds."""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOT_PACKAGED = {"tests", "examples", "benchmarks", "docs", "build", ".venv", "site", "results"}
# agents → planners, tools, memory, llm → traces; traces imports nothing of ours; nothing imports agents.
FORBIDDEN = {
    "traces": {"llm", "tools", "planners", "memory", "agents", "envs", "cli"},
    "llm": {"agents", "planners", "memory", "envs", "cli"},
    "tools": {"agents", "planners", "cli"},
    "memory": {"agents", "planners", "cli"},
    "planners": {"agents", "cli"},
    "envs": {"agents", "cli"},
    "evals": {"agents", "cli"},
}


def _package_dirs() -> set[str]:
    found = set()
    for init in ROOT.rglob("__init__.py"):
        rel = init.parent.relative_to(ROOT)
        if (rel.parts and rel.parts[0] in NOT_PACKAGED | {"node_modules"}) or any(
            p.startswith(".") for p in rel.parts
        ):
            continue
        found.add(".".join(("goalgraph", *rel.parts)))
    return found


def test_every_package_directory_is_listed_in_pyproject() -> None:
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    missing = _package_dirs() - listed
    assert not missing, f"add these to [tool.setuptools] packages in pyproject.toml: {sorted(missing)}"


def test_dependency_direction() -> None:
    violations = []
    for top, banned in FORBIDDEN.items():
        for path in (ROOT / top).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.ImportFrom) and node.module:
                    parts = node.module.split(".")
                    target = parts[1] if parts[0] == "goalgraph" and len(parts) > 1 else None
                    if node.level and node.level >= 2:
                        target = parts[0] if parts[0] else None
                    if target in banned:
                        violations.append(f"{path.relative_to(ROOT)} imports goalgraph.{target}")
    assert not violations, violations


def test_cli_help_runs_without_errors() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "goalgraph.cli", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "demo" in result.stdout and "eval" in result.stdout
