"""Security: no tool or agent runs shell commands or processes, evaluates strings as code, loads unsafe
serialised data, or touches files outside the paths it is given.

Two checks: a static one over the source (AST: imports, calls, aliases, `getattr` tricks) and a dynamic
one that runs every built-in tool under a Python audit hook and records each process launch and each
file a tool opens, writes or removes.
"""

from __future__ import annotations

import ast
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SCANNED = ("tools", "agents", "envs", "memory", "planners", "llm", "traces", "evals")
BANNED_MODULES = {"subprocess", "pty", "pexpect", "commands", "popen2", "shelve", "marshal"}
BANNED_BUILTINS = {"eval", "exec", "compile", "__import__"}
BANNED_OS = {
    "system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp",
    *(f"spawn{s}" for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")),
    *(f"exec{s}" for s in ("l", "le", "lp", "lpe", "v", "ve", "vp", "vpe")),
}  # fmt: skip
BANNED_ATTRIBUTES = {
    ("asyncio", "create_subprocess_exec"),
    ("asyncio", "create_subprocess_shell"),
    ("pickle", "load"),
    ("pickle", "loads"),
    ("yaml", "load"),
    ("yaml", "unsafe_load"),
    ("yaml", "full_load"),
    ("importlib", "import_module"),
}
# Reviewed exceptions, each with the reason it is safe.
ALLOWED = {
    # BRISQUE's normalisation table, a pickle shipped inside the installed `brisque` wheel (not user data).
    ("tools/image/_nss.py", "pickle.load"),
}


def _literal_call(node: ast.Call) -> bool:
    return bool(node.args) and all(isinstance(a, ast.Constant) for a in node.args)


def _violations(path: Path) -> list[str]:
    relative = path.relative_to(ROOT).as_posix()
    found: list[str] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    aliases: dict[str, str] = {}  # local name -> module it stands for (import os as o)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                aliases[a.asname or a.name.split(".")[0]] = a.name.split(".")[0]
                if a.name.split(".")[0] in BANNED_MODULES:
                    found.append(f"imports {a.name}")
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if top in BANNED_MODULES:
                found.append(f"imports from {node.module}")
            for a in node.names:
                if (top == "os" and a.name in BANNED_OS) or (top, a.name) in BANNED_ATTRIBUTES:
                    found.append(f"imports {a.name} from {node.module}")
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        where = f"line {node.lineno}"
        if isinstance(func, ast.Name):
            # `__import__("cv2")` with a literal name is an ordinary import; with a computed one it is not.
            if func.id in BANNED_BUILTINS and not (func.id == "__import__" and _literal_call(node)):
                found.append(f"calls {func.id}() at {where}")
            if func.id == "getattr" and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                owner = node.args[0]
                owner_name = aliases.get(owner.id, owner.id) if isinstance(owner, ast.Name) else ""
                if owner_name == "os" and node.args[1].value in BANNED_OS:
                    found.append(f"reaches os.{node.args[1].value} through getattr at {where}")
        elif isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner_name = aliases.get(func.value.id, func.value.id)
            call = (owner_name, func.attr)
            if owner_name in ("os", "builtins") and func.attr in BANNED_OS | BANNED_BUILTINS:
                found.append(f"calls {owner_name}.{func.attr}() at {where}")
            elif call in BANNED_ATTRIBUTES and not (call[1] == "import_module" and _literal_call(node)):
                if (relative, f"{owner_name}.{func.attr}") not in ALLOWED:
                    found.append(f"calls {owner_name}.{func.attr}() at {where}")
            elif call == ("torch", "load") and not any(
                k.arg == "weights_only" and isinstance(k.value, ast.Constant) and k.value.value is True
                for k in node.keywords
            ):
                found.append(f"calls torch.load() without weights_only=True at {where}")
    return [f"{relative}: {v}" for v in found]


def test_no_shell_or_dynamic_code_in_the_framework() -> None:
    files = [path for top in SCANNED for path in (ROOT / top).rglob("*.py")]
    assert len(files) > 50
    violations = [v for path in files for v in _violations(path)]
    assert not violations, violations


@pytest.mark.parametrize(
    "source",
    [
        "import subprocess",
        "from subprocess import run",
        "import os as o\no.system('ls')",
        "from os import system",
        "import os\ngetattr(os, 'popen')('ls')",
        "eval('1')",
        "exec('x = 1')",
        "__import__(name)",
        "import asyncio\nasyncio.create_subprocess_shell('ls')",
        "import pickle\npickle.loads(data)",
        "import yaml\nyaml.load(text)",
        "import torch\ntorch.load(path)",
        "import importlib\nimportlib.import_module(name)",
    ],
)
def test_the_static_check_catches(tmp_path: Path, source: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    path = tmp_path / "sample.py"
    path.write_text(source + "\n")
    assert _violations(path), source


# -- dynamic: run the tools under an audit hook --------------------------------------------------------

_PROCESS_EVENTS = {
    "subprocess.Popen",
    "os.system",
    "os.exec",
    "os.posix_spawn",
    "os.spawn",
    "os.fork",
    "pty.spawn",
}
_FILE_EVENTS = {
    "open",
    "os.remove",
    "os.rename",
    "os.rmdir",
    "shutil.rmtree",
    "os.truncate",
    "sqlite3.connect",
}


class _Recorder:
    """Records audit events while `active` (the hook stays installed: Python offers no way to remove one)."""

    def __init__(self) -> None:
        self.active = False
        self.events: list[tuple[str, tuple[Any, ...]]] = []
        self._lock = threading.Lock()

    def __call__(self, event: str, args: tuple[Any, ...]) -> None:
        if self.active and (event in _PROCESS_EVENTS or event in _FILE_EVENTS):
            with self._lock:
                self.events.append((event, args))


_RECORDER = _Recorder()
_INSTALLED: list[bool] = []


@pytest.fixture
def audit() -> Iterator[_Recorder]:
    if not _INSTALLED:
        sys.addaudithook(_RECORDER)
        _INSTALLED.append(True)
    _RECORDER.events.clear()
    yield _RECORDER
    _RECORDER.active = False


def _allowed_roots(work: Path) -> list[Path]:
    roots = {Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix), ROOT, work.resolve()}
    roots |= {
        Path.home() / ".cache",
        Path(tempfile.gettempdir()) / "goalgraph-images",
        Path("/dev"),
        Path("/proc"),
        Path("/sys"),
    }
    roots |= {Path("/usr/share/zoneinfo"), Path("/etc/localtime"), Path("/usr/lib"), Path("/lib")}
    return [r.resolve() if r.exists() else r for r in roots]


def _outside(events: list[tuple[str, tuple[Any, ...]]], roots: list[Path]) -> list[str]:
    bad = []
    for event, args in events:
        if event in _PROCESS_EVENTS:
            bad.append(f"{event} {args[:2]}")
            continue
        target = args[0] if args else None
        if not isinstance(target, str | bytes | Path):
            continue  # a file descriptor
        path = Path(target.decode() if isinstance(target, bytes) else target)
        if not path.is_absolute():
            path = Path.cwd() / path
        resolved = path.resolve()
        # The image cache spills to tempdir/goalgraph-images-<pid>: its own scratch space.
        if resolved.name.startswith("goalgraph-images") or any(
            p.name.startswith("goalgraph-images") for p in resolved.parents
        ):
            continue
        if not any(resolved == r or r in resolved.parents for r in roots):
            bad.append(f"{event} {resolved}")
    return bad


def test_every_builtin_tool_stays_in_its_paths_and_launches_nothing(audit: _Recorder, tmp_path: Path) -> None:
    from goalgraph.envs.household import HouseholdEnv, procedural_episode
    from goalgraph.memory import MemoryStore, memory_tools
    from goalgraph.tools.image import experts, load_image
    from goalgraph.tools.image._image import cache_pixels
    from goalgraph.tools.retrieval import HybridIndex, IndexConfig, Passage, RetrievalEngine, retrieval_tools
    from goalgraph.tools.temporal import parse_window

    image = cache_pixels(np.random.default_rng(0).integers(0, 255, (24, 24, 3)).astype("uint8"))
    store = MemoryStore.open(tmp_path / "memory", embedder="hash:32")
    remember, recall = sorted(memory_tools(store), key=lambda t: t.name, reverse=True)
    engine = RetrievalEngine(
        HybridIndex([Passage.make("Paris", "Paris is in France.")], IndexConfig(dense=False))
    )
    search, _ = retrieval_tools(engine)
    scene, task = procedural_episode(seed=1)
    for expert in experts.EXPERTS:  # warm up: model files and lazy imports load before recording
        if "slow" not in expert.tags:
            expert.call(image)
    given = tmp_path / "given.png"
    from PIL import Image as PILImage

    PILImage.fromarray(image.array()).save(given)
    ran: list[str] = []
    audit.active = True
    try:
        load_image(given)  # a tool input that is a path: the only file outside the stores it may read
        for expert in experts.EXPERTS:
            expert.call(image)
            ran.append(expert.name)
        remember.call({"text": "Alice moved to Paris", "timestamp": "2023-05-01T00:00:00"})
        assert recall.call({"query": "where does Alice live"}).memories
        assert search.call({"query": "Paris"}).hits
        parse_window("What did Alice do between May 2, 2023 and May 5, 2023?")
        env = HouseholdEnv(scene)
        env.reset(task)
        for command in ("observe", "navigate to Fridge", "open Fridge", "pickup Apple", "end"):
            env.step(command)
        ran += ["remember", "recall", "search", "parse_window", "household"]
    finally:
        audit.active = False
        store.close()
    assert len(ran) == len(experts.EXPERTS) + 5
    roots = _allowed_roots(tmp_path)
    violations = _outside(audit.events, roots)
    assert not violations, violations[:10]
    # The recorder really sees file access (the given image) and the check really flags the rest.
    assert any(event == "open" and str(args[0]) == str(given) for event, args in audit.events)
    assert _outside([("open", ("/etc/hostname", "r", 0)), ("subprocess.Popen", ("sh", ["sh"]))], roots) == [
        "open /etc/hostname",
        "subprocess.Popen ('sh', ['sh'])",
    ]
