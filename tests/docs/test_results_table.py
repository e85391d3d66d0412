"""The README's results table is what `benchmarks/publish.py` generates from docs/results/*.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

PUBLISH = "benchmarks/publish.py"


def test_readme_table_is_generated_not_typed(script: Any) -> None:
    publish = script(PUBLISH)
    for page, text in publish.rendered().items():
        assert page.read_text(encoding="utf-8") == text, f"{page.name}: run python benchmarks/publish.py"


def test_table_reads_published_summaries(tmp_path: Path, script: Any) -> None:
    publish = script(PUBLISH)
    (tmp_path / "resum.json").write_text(
        json.dumps(
            {
                "budget": 1024,
                "summary": {
                    "resum": {"f1": 0.25, "overflows": 0, "peak_context_tokens": 1001, "episodes": 60},
                    "react": {"f1": 0.125, "overflows": 41, "peak_context_tokens": 1180, "episodes": 60},
                },
            }
        )
    )
    rows = publish.table(publish.AGENT_ROWS, tmp_path)
    resum = next(line for line in rows.splitlines() if line.startswith("| ReSum"))
    assert (
        "0.250 / 0 / 1001 (60 questions, 1,024-token budget)" in resum and "ReAct 0.125 / 41 / 1180" in resum
    )
    assert "not measured yet" in next(line for line in rows.splitlines() if line.startswith("| ReaRAG"))
    assert publish.trimmed({"summary": {"a": 1}, "episodes": [1] * 10, "budget": 2048}) == {
        "summary": {"a": 1},
        "budget": 2048,
    }


def test_scaling_table_reads_the_scale_benchmark(tmp_path: Path, script: Any) -> None:
    publish = script(PUBLISH)
    summary = {
        "asyncio_1": 10.0,
        "asyncio_2": 19.5,
        "ray_2_workers": 18.0,
        "asyncio_2_speedup_vs_asyncio_1": 1.95,
    }
    (tmp_path / "scale_bench.json").write_text(json.dumps({"summary": summary}))
    rows = publish.scale_table(tmp_path).splitlines()
    assert "| scripted model + BM25 tool | asyncio, 2 in flight | 19.5 | ×1.95 |" in rows
    assert "| embedded model, served | not measured yet | | |" in rows
