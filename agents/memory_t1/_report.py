"""The evaluations' picture: a PNG bar chart of a metric per group for several series."""

from __future__ import annotations

from pathlib import Path

__all__ = ["write_chart"]


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
