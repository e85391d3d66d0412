"""Publish measured results: copy each results file's summary into docs/results/, regenerate the tables.

    python benchmarks/publish.py --results results/        # after running the benchmarks and evals
    python benchmarks/publish.py --check                   # tables in README/docs match docs/results/

The README's agent table and the scaling page's table are generated here from the JSON the benchmarks and
`goalgraph eval …` commands wrote, never typed by hand. `docs/results/*.json` keeps only what the tables need
(summaries, small groupings, run settings), so the figures travel with the repository.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PUBLISHED = ROOT / "docs" / "results"
# Top-level fields worth keeping beside the summaries (run settings, the data used).
_KEEP = ("setting", "budget", "model", "agent_tasks", "react_tasks", "wall_seconds", "workload", "episodes")

# Small per-system tables worth keeping too.
_KEEP_TABLES = ("wall_seconds", "paired")

Doc = Mapping[str, Any]


def _get(doc: Doc, *path: str) -> Any:
    value: Any = doc
    for key in path:
        if not isinstance(value, Mapping) or key not in value:
            return None
        value = value[key]
    return value


def _num(value: Any, fmt: str = "{:.3f}") -> str:
    return "–" if not isinstance(value, int | float) else fmt.format(value)


def _pct(value: Any) -> str:
    return _num(None if value is None else 100 * value, "{:.1f}%")


def _minutes(seconds: Any) -> float | None:
    return seconds / 60 if isinstance(seconds, int | float) else None


@dataclass(frozen=True)
class Row:
    """One table row drawn from one results file."""

    file: str
    """The results file name (in --results and in docs/results)."""
    system: str
    """What was measured."""
    benchmark: str
    """On what data, how."""
    ours: Callable[[Doc], str]
    """goalgraph's figure."""
    peer: Callable[[Doc], str]
    """The baseline or peer measured in the same run."""


AGENT_ROWS = [
    Row(
        "fourk_bench.json",
        "4KAgent",
        "degraded scikit-image photos, ×4: PSNR-Y dB / NIQE",
        lambda d: (
            f"GenSR-s4-F {_num(_get(d, 'summary', 'fourk_fidelity', 'psnr'), '{:.2f}')} dB, ExpSR-s4-F "
            f"{_num(_get(d, 'summary', 'ExpSR-s4-F', 'psnr'), '{:.2f}')} dB; NIQE (perception profile) "
            f"{_num(_get(d, 'summary', 'fourk_perception', 'niqe'), '{:.2f}')}"
        ),
        lambda d: (
            f"bicubic {_num(_get(d, 'summary', 'bicubic', 'psnr'), '{:.2f}')} dB, NIQE "
            f"{_num(_get(d, 'summary', 'bicubic', 'niqe'), '{:.2f}')}; best single chain "
            f"{_num(_get(d, 'summary', 'best_single_chain', 'psnr'), '{:.2f}')} dB"
        ),
    ),
    Row(
        "embodied.json",
        "Embodied-Reasoner agent",
        "530 dev tasks (AI2-THOR scenes): success / repeat rate; wall time",
        lambda d: (
            f"{_pct(_get(d, 'summary', 'agent', 'success'))} / {_pct(_get(d, 'summary', 'agent', 'repeat_rate'))}; "
            f"{_num(_minutes(_get(d, 'wall_seconds', 'agent')), '{:.1f}')} min"
        ),
        lambda d: (
            f"ReAct on {_num(_get(d, 'react_tasks'), '{:.0f}')} of the tasks "
            f"{_pct(_get(d, 'paired', 'react', 'success'))} / {_pct(_get(d, 'paired', 'react', 'repeat_rate'))} "
            f"(agent there {_pct(_get(d, 'paired', 'agent', 'success'))} / "
            f"{_pct(_get(d, 'paired', 'agent', 'repeat_rate'))})"
        ),
    ),
    Row(
        "rearag_pooled.json",
        "ReaRAG",
        "100 HotpotQA+MuSiQue, pooled corpus: F1 / supporting recall",
        lambda d: (
            f"{_num(_get(d, 'summary', 'rearag', 'f1'))} / {_num(_get(d, 'summary', 'rearag', 'sp_recall'))}"
        ),
        lambda d: (
            f"one-shot RAG {_num(_get(d, 'summary', 'one_shot_rag', 'f1'))} / "
            f"{_num(_get(d, 'summary', 'one_shot_rag', 'sp_recall'))}; closed-book "
            f"{_num(_get(d, 'summary', 'closed_book', 'f1'))}"
        ),
    ),
    Row(
        "rearag_distractor.json",
        "ReaRAG",
        "100 HotpotQA+MuSiQue, distractor setting: F1 / supporting recall",
        lambda d: (
            f"{_num(_get(d, 'summary', 'rearag', 'f1'))} / {_num(_get(d, 'summary', 'rearag', 'sp_recall'))}"
        ),
        lambda d: (
            f"one-shot RAG {_num(_get(d, 'summary', 'one_shot_rag', 'f1'))} / "
            f"{_num(_get(d, 'summary', 'one_shot_rag', 'sp_recall'))}; closed-book "
            f"{_num(_get(d, 'summary', 'closed_book', 'f1'))}"
        ),
    ),
    Row(
        "resum.json",
        "ReSum",
        "multi-hop questions (3/4-hop MuSiQue first), pooled: F1 / overflows / peak context tokens",
        lambda d: (
            f"{_num(_get(d, 'summary', 'resum', 'f1'))} / {_num(_get(d, 'summary', 'resum', 'overflows'), '{:.0f}')}"
            f" / {_num(_get(d, 'summary', 'resum', 'peak_context_tokens'), '{:.0f}')} "
            f"({_num(_get(d, 'summary', 'resum', 'episodes'), '{:.0f}')} questions, "
            f"{_num(_get(d, 'budget'), '{:,}')}-token budget)"
        ),
        lambda d: (
            f"ReAct {_num(_get(d, 'summary', 'react', 'f1'))} / "
            f"{_num(_get(d, 'summary', 'react', 'overflows'), '{:.0f}')} / "
            f"{_num(_get(d, 'summary', 'react', 'peak_context_tokens'), '{:.0f}')}"
        ),
    ),
    Row(
        "memory_t1.json",
        "Memory-T1",
        "Time-Dialog QA: accuracy / temporal precision",
        lambda d: (
            f"{_num(_get(d, 'summary', 'memory_t1', 'accuracy'))} / "
            f"{_num(_get(d, 'summary', 'memory_t1', 'temporal_precision'))}"
        ),
        lambda d: (
            f"no time filter {_num(_get(d, 'summary', 'no_time_filter', 'accuracy'))} / "
            f"{_num(_get(d, 'summary', 'no_time_filter', 'temporal_precision'))}"
        ),
    ),
    Row(
        "time_range.json",
        "Memory-T1 stage 1",
        "Time-Dialog ranges (2,346): explicit exact / IoU / open bounds",
        lambda d: (
            f"{_pct(_get(d, 'summary', 'estimator', 'explicit_exact'))} / "
            f"{_num(_get(d, 'summary', 'estimator', 'explicit_iou'))} / "
            f"{_pct(_get(d, 'summary', 'estimator', 'open_bounds_correct'))}"
        ),
        lambda d: "annotated windows",
    ),
]

FRAMEWORK_ROWS = [
    Row(
        "llm_bench.json",
        "embedded model",
        "warm load s; constrained vs plain tokens/s",
        lambda d: (
            f"{_num(_get(d, 'summary', 'warm_load_s'), '{:.2f}')} s; "
            f"{_num(_get(d, 'summary', 'constrained_tok_s'), '{:.1f}')} tok/s"
        ),
        lambda d: f"transformers generate {_num(_get(d, 'summary', 'unconstrained_tok_s'), '{:.1f}')} tok/s",
    ),
    Row(
        "llm_bench.json",
        "prefix cache",
        "8-call agent conversation: seconds with the prefix cache; share of prompt tokens reused",
        lambda d: (
            f"{_num(_get(d, 'summary', 'conversation_s_prefix_cache'), '{:.1f}')} s "
            f"(×{_num(_get(d, 'summary', 'conversation_prefix_cache_speedup'), '{:.2f}')}); "
            f"{_pct(_get(d, 'summary', 'conversation_cached_token_share'))} reused"
        ),
        lambda d: f"cache off {_num(_get(d, 'summary', 'conversation_s_no_prefix_cache'), '{:.1f}')} s",
    ),
    Row(
        "trace_bench.json",
        "tracing",
        "1,000-node LangGraph run: overhead µs per node",
        lambda d: (
            f"{_num(_get(d, 'summary', 'overhead_us_per_node'), '{:.1f}')} µs "
            f"({_num(_get(d, 'summary', 'overhead_pct_local_model_run'), '{:.3f}')}% of a local-model run)"
        ),
        lambda d: f"untraced {_num(_get(d, 'summary', 'us_per_node_untraced'), '{:.1f}')} µs/node",
    ),
    Row(
        "goap_bench.json",
        "GOAP planner",
        "STRIPS blocks/logistics: time ratio vs pyperplan at the largest size; cost mismatches",
        lambda d: (
            f"×{_num(_get(d, 'summary', 'time_ratio_largest'), '{:.3f}')}; "
            f"{_num(_get(d, 'summary', 'cost_mismatches'), '{:.0f}')} mismatches; typed-200 "
            f"{_num(_get(d, 'summary', 'typed200_median_ms'), '{:.1f}')} ms"
        ),
        lambda d: (
            f"pyperplan A* + {_get(d, 'summary', 'pyperplan_heuristic') or '?'} (same ground task; "
            f"goalgraph: {_get(d, 'summary', 'goalgraph_heuristic') or 'hmax'})"
        ),
    ),
    Row(
        "memory_bench.json",
        "MemoryStore",
        "100k × 384-d: QPS / recall@10 / p50 ms",
        lambda d: (
            f"{_num(_get(d, 'summary', '100000', 'qps_goalgraph'), '{:.0f}')} / "
            f"{_num(_get(d, 'summary', '100000', 'recall_at_10'))} / {_num(_get(d, 'summary', '100000', 'p50_ms'))}"
        ),
        lambda d: (
            f"Chroma {_num(_get(d, 'summary', '100000', 'qps_chroma'), '{:.0f}')} / "
            f"{_num(_get(d, 'summary', '100000', 'chroma_recall_at_10'))}; InMemoryStore "
            f"{_num(_get(d, 'summary', '100000', 'qps_inmemorystore'), '{:.2f}')} QPS"
        ),
    ),
    Row(
        "memory_bench.json",
        "MemoryStore",
        "1M × 384-d: p50 ms / recall@10; 100k filtered p50 ms",
        lambda d: (
            f"{_num(_get(d, 'summary', '1000000', 'p50_ms'))} / {_num(_get(d, 'summary', '1000000', 'recall_at_10'))}; "
            f"{_num(_get(d, 'summary', '100000', 'filtered_p50_ms'))}"
        ),
        lambda d: (
            f"bare FAISS {_num(_get(d, 'summary', '1000000', 'faiss_p50_ms'))} ms; Chroma "
            f"{_num(_get(d, 'summary', '1000000', 'qps_chroma'), '{:.0f}')} QPS / "
            f"{_num(_get(d, 'summary', '1000000', 'chroma_recall_at_10'))}"
        ),
    ),
    Row(
        "scale_bench.json",
        "evaluation harness",
        "episodes/minute: asyncio 1 / 2 / 4 in flight",
        lambda d: " / ".join(_num(_get(d, "summary", f"asyncio_{n}"), "{:.1f}") for n in (1, 2, 4)),
        lambda d: f"Ray, 2 workers: {_num(_get(d, 'summary', 'ray_2_workers'), '{:.1f}')}",
    ),
]

#: Scale-out runs (`benchmarks/scale_bench.py`), one per workload, and the rows of their table.
SCALE_FILES = {
    "scale_bench.json": "scripted model + BM25 tool",
    "scale_bench_served.json": "embedded model, served",
}
SCALE_RUNS = {
    "asyncio_1": "asyncio, 1 in flight",
    "asyncio_2": "asyncio, 2 in flight",
    "asyncio_4": "asyncio, 4 in flight",
    "ray_2_workers": "Ray, 2 workers",
}


def scale_table(published: Path) -> str:
    """Episodes per minute per backend and workload, and the speed-up over one episode at a time."""
    lines = ["| workload | backend | episodes/min | vs 1 in flight |", "|---|---|---|---|"]
    for file, workload in SCALE_FILES.items():
        path = published / file
        if not path.is_file():
            lines.append(f"| {workload} | not measured yet | | |")
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        for run, label in SCALE_RUNS.items():
            rate = _get(document, "summary", run)
            speedup = _get(document, "summary", f"{run}_speedup_vs_asyncio_1")
            lines.append(f"| {workload} | {label} | {_num(rate, '{:.1f}')} | ×{_num(speedup, '{:.2f}')} |")
    return "\n".join(lines)


#: Each generated page: its marker name and how its block is made from docs/results.
MARKERS: dict[Path, tuple[str, Callable[[Path], str]]] = {
    ROOT / "README.md": ("results", lambda published: table(AGENT_ROWS + FRAMEWORK_ROWS, published)),
    ROOT / "docs" / "scaling.md": ("scale", scale_table),
}


def trimmed(document: Doc) -> dict[str, Any]:
    """What docs/results keeps of a results file: summary, small by-group tables, run settings."""
    kept: dict[str, Any] = {"summary": document.get("summary", {})}
    by_group = document.get("by_group")
    if by_group is not None and len(json.dumps(by_group)) < 20_000:
        kept["by_group"] = by_group
    for key in _KEEP:
        if isinstance(document.get(key), int | float | str):  # settings, not data (eval "episodes" are data)
            kept[key] = document[key]
    for key in _KEEP_TABLES:  # small per-system tables (wall time, the paired baseline comparison)
        value = document.get(key)
        if isinstance(value, Mapping) and len(json.dumps(value)) < 5_000:
            kept[key] = value
    return kept


def table(rows: list[Row], published: Path) -> str:
    """The markdown table of `rows` from the files in `published` (rows whose file is missing say so)."""
    lines = ["| system | benchmark | goalgraph | same-run baseline / peer |", "|---|---|---|---|"]
    for row in rows:
        path = published / row.file
        if not path.is_file():
            lines.append(f"| {row.system} | {row.benchmark} | not measured yet | |")
            continue
        document = json.loads(path.read_text(encoding="utf-8"))
        lines.append(f"| {row.system} | {row.benchmark} | {row.ours(document)} | {row.peer(document)} |")
    return "\n".join(lines)


def replace_block(text: str, name: str, body: str) -> str:
    """`text` with the part between ``<!-- name:start -->`` and ``<!-- name:end -->`` set to `body`."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    if start not in text or end not in text:
        raise ValueError(f"markers {start} / {end} not found")
    head, rest = text.split(start, 1)
    _, tail = rest.split(end, 1)
    return f"{head}{start}\n{body}\n{end}{tail}"


def rendered(published: Path = PUBLISHED) -> dict[Path, str]:
    """Each page with its generated block filled from `published`."""
    pages = {}
    for page, (name, make) in MARKERS.items():
        pages[page] = replace_block(page.read_text(encoding="utf-8"), name, make(published))
    return pages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", type=Path, help="Directory of fresh results JSON to publish.")
    parser.add_argument("--check", action="store_true", help="Only check that the pages are up to date.")
    args = parser.parse_args()
    if args.results is not None:
        if not args.results.is_dir():
            print(f"error: --results {args.results} is not a directory", file=sys.stderr)
            return 2
        PUBLISHED.mkdir(parents=True, exist_ok=True)
        for file in [row.file for row in AGENT_ROWS + FRAMEWORK_ROWS] + list(SCALE_FILES):
            source = args.results / file
            if source.is_file():
                document = json.loads(source.read_text(encoding="utf-8"))
                (PUBLISHED / file).write_text(
                    json.dumps(trimmed(document), indent=1) + "\n", encoding="utf-8"
                )
    stale = []
    for page, text in rendered().items():
        if page.read_text(encoding="utf-8") != text:
            if args.check:
                stale.append(page.name)
            else:
                page.write_text(text, encoding="utf-8")
    if stale:
        print(f"out of date: {', '.join(stale)} (run python benchmarks/publish.py)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
