"""Episode records, aggregation and the results file (written incrementally, resumable)."""

from __future__ import annotations

import json
import math
import os
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = ["Aggregation", "EpisodeLog", "check_output", "summarize", "write_results"]

Aggregation = Literal["mean", "sum", "max", "min"]


def _aggregate(values: Sequence[float], how: Aggregation) -> float:
    if not values:
        return float("nan")
    if how == "sum":
        return float(sum(values))
    if how == "max":
        return float(max(values))
    if how == "min":
        return float(min(values))
    return float(sum(values) / len(values))


def summarize(
    records: Iterable[Mapping[str, Any]],
    metrics: Sequence[str],
    aggregations: Mapping[str, Aggregation] | None = None,
) -> tuple[dict[str, dict[str, float]], dict[str, dict[str, dict[str, float]]]]:
    """Aggregate episode records into `summary[system][metric]` and `by_group[system][group][metric]`.

    Metrics missing from a record, or not finite, are left out of that metric's aggregate.
    """
    how = dict(aggregations or {})
    per_system: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    per_group: dict[str, dict[str, dict[str, list[float]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        system, group = str(record["system"]), str(record.get("group", "all"))
        counts[system] += 1
        values = record.get("metrics", {})
        for metric in metrics:
            value = values.get(metric)
            if isinstance(value, int | float) and math.isfinite(value):
                per_system[system][metric].append(float(value))
                per_group[system][group][metric].append(float(value))
    summary = {
        system: {m: _aggregate(v, how.get(m, "mean")) for m, v in by_metric.items()}
        | {"episodes": counts[system]}
        for system, by_metric in per_system.items()
    }
    by_group = {
        system: {
            group: {m: _aggregate(v, how.get(m, "mean")) for m, v in by_metric.items()}
            for group, by_metric in sorted(groups.items())
        }
        for system, groups in per_group.items()
    }
    return summary, by_group


def check_output(path: Path, option: str = "--out") -> None:
    """Raise a `ValueError` naming `option` when `path` cannot take a results file.

    Run before any work, so a wrong ``--out`` fails in a second instead of after the whole evaluation.
    """
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"{option} {path}: is a directory; give a .json file path")
    parent = path.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir():
        raise ValueError(f"{option} {path}: {parent} is a file, so no folder can be made there")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise ValueError(f"{option} {path}: {parent} is not writable")
    if path.exists() and not os.access(path, os.W_OK):
        raise ValueError(f"{option} {path}: the file is not writable")


def write_results(path: Path, document: Mapping[str, Any]) -> None:
    """Write the results JSON atomically: a reader never sees a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(json.dumps(document, indent=2, default=_json_default, allow_nan=False), encoding="utf-8")
    os.replace(tmp, path)


def _json_default(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, Path):
        return str(value)
    return repr(value)


@dataclass
class EpisodeLog:
    """An append-only JSON-lines log of finished episodes beside the results file; `--resume` reads it."""

    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    fresh: bool = False
    """True until the first append of a run that does not resume: that append replaces the old log."""

    @classmethod
    def open(cls, results_path: Path, *, resume: bool) -> EpisodeLog:
        """Open the log for `results_path`; without `resume` the previous log is replaced.

        The previous log is kept until the first episode of the new run finishes, so a run that fails
        before any episode (a bad model spec, a bad input) leaves the earlier results and log as they were.
        """
        log = cls(results_path.with_name(results_path.name + ".episodes.jsonl"))
        log.path.parent.mkdir(parents=True, exist_ok=True)
        if not resume:
            log.fresh = True
            return log
        if log.path.exists():
            for raw in log.path.read_bytes().splitlines():
                # A line cut by a kill mid-write, or mangled by anything else, is not a finished episode:
                # that episode simply runs again.
                try:
                    record = json.loads(raw.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    continue
                if isinstance(record, dict) and "system" in record and "id" in record:
                    if not isinstance(record.get("metrics"), dict):
                        record["metrics"] = {}
                    log.records.append(record)
        return log

    def done(self) -> set[tuple[str, str]]:
        """(system, episode id) pairs already finished; an episode that crashed is not done, so a resumed
        run tries it again (a crash is often the environment's: a server down, memory short)."""
        return {(str(r["system"]), str(r["id"])) for r in self.records if "error" not in r}

    def latest(self) -> list[dict[str, Any]]:
        """One record per (system, episode id): the last one logged (a retried crash is replaced)."""
        return list({(str(r["system"]), str(r["id"])): r for r in self.records}.values())

    def append(self, record: dict[str, Any]) -> None:
        """Record one finished episode durably (flushed and fsynced before returning)."""
        self.records.append(record)
        line = json.dumps(record, default=_json_default)
        mode, self.fresh = ("w" if self.fresh else "a"), False
        with self.path.open(mode, encoding="utf-8") as handle:
            handle.write(line + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def results_document(
    records: Sequence[Mapping[str, Any]],
    metrics: Sequence[str],
    aggregations: Mapping[str, Aggregation] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The results file contract: `{..extra, summary, by_group, episodes}` with NaN written as null."""
    summary, by_group = summarize(records, metrics, aggregations)
    return _finite({**(extra or {}), "summary": summary, "by_group": by_group, "episodes": list(records)})
