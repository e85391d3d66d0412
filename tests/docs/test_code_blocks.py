"""Every Python code block in README.md and docs/ runs (the scripted or embedded model, offline)."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = list(find_examples(str(ROOT / "README.md"), str(ROOT / "docs")))


def test_docs_have_python_examples() -> None:
    assert EXAMPLES, "README.md and docs/ should carry runnable Python examples"


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=lambda e: f"{Path(e.path).relative_to(ROOT)}:{e.start_line}"
)
def test_code_block_runs(
    example: CodeExample, eval_example: EvalExample, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # blocks that write files (trace stores, results) write here
    eval_example.run(example)
