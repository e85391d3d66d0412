"""Writing a results JSON whole or not at all (errors name the --out path), and its picture."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

__all__ = ["check_out", "write_chart", "write_report"]


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
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a results file is for everyone to read
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_chart(path: Path, series: dict[str, dict[str, float]], ylabel: str, title: str) -> Path:
    """A PNG bar chart: one bar group per key of the inner dicts, one coloured bar per series."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = sorted({g for values in series.values() for g in values})
    width = 0.8 / max(1, len(series))
    fig, ax = plt.subplots(figsize=(max(6.0, 0.6 * len(groups) + 2), 3.8))
    for i, (label, values) in enumerate(series.items()):
        xs = [x + i * width for x in range(len(groups))]
        ax.bar(xs, [float(values.get(g, 0.0)) for g in groups], width, label=label, color=f"C{i}")
    ax.set_xticks(
        [x + width * (len(series) - 1) / 2 for x in range(len(groups))], groups, rotation=40, ha="right"
    )
    ax.set_ylim(0, 1.05)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
