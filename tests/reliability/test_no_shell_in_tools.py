"""Security: no tool or agent runs shell commands or evaluates strings as code."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("tools", "agents", "envs", "memory", "planners")
BANNED_MODULES = {"subprocess", "pty", "pexpect"}
BANNED_CALLS = {"eval", "exec", "system", "popen", "spawnl", "spawnv", "execv", "execl"}


def _violations(path: Path) -> list[str]:
    found = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"imports {a.name}" for a in node.names if a.name.split(".")[0] in BANNED_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in BANNED_MODULES:
            found.append(f"imports from {node.module}")
        elif isinstance(node, ast.Call):
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            owner = (
                func.value.id if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) else ""
            )
            # `re.compile` and friends are fine; the builtins and os.* process launchers are not.
            if name in BANNED_CALLS and owner in ("", "os", "builtins"):
                found.append(f"calls {owner + '.' if owner else ''}{name}() at line {node.lineno}")
    return [f"{path.relative_to(ROOT)}: {v}" for v in found]


def test_no_shell_or_dynamic_code_in_tools_and_agents() -> None:
    violations = [v for top in SCANNED for path in (ROOT / top).rglob("*.py") for v in _violations(path)]
    assert not violations, violations
