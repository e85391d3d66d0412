"""A PNG bar chart of an evaluation's summary (one panel per metric, one bar per system)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["write_chart"]


def write_chart(document: Mapping[str, Any], metrics: Sequence[str], path: Path, title: str) -> Path:
    """Draw `metrics` for every system in `document["summary"]` to `path` (PNG)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    summary = document["summary"]
    systems = list(summary)
    shown = [m for m in metrics if any(isinstance(summary[s].get(m), int | float) for s in systems)]
    columns = max(1, len(shown))
    fig, axes = plt.subplots(1, columns, figsize=(2.6 * columns + 1, 3.2), squeeze=False)
    for ax, metric in zip(axes[0], shown, strict=False):
        values = [summary[s].get(metric) or 0.0 for s in systems]
        bars = ax.bar(systems, values, color=[f"C{i}" for i in range(len(systems))])
        ax.bar_label(bars, fmt="%.3g", fontsize=8)
        ax.set_title(metric, fontsize=10)
        ax.tick_params(axis="x", labelrotation=30, labelsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
