"""Writing a results JSON whole or not at all, with errors that name the --out path."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["check_out", "write_report"]


def check_out(out: Path) -> str | None:
    """Why ``out`` cannot take a results file (checked before any work), or None when it can."""
    if out.exists() and out.is_dir():
        return f"--out: {out} is a directory"
    parent = out.parent if str(out.parent) else Path(".")
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return f"--out: cannot create {parent} ({exc.strerror})"
    if not os.access(parent, os.W_OK):
        return f"--out: {parent} is not writable"
    return None


def write_report(out: Path, report: dict[str, Any]) -> None:
    """Write ``report`` as JSON to ``out`` atomically (a temporary file in the same folder, then a rename)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent if str(out.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(report, fh, indent=1, default=str)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
