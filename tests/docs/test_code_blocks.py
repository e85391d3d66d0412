"""Every Python code block in README.md and docs/ runs (the scripted or embedded model, offline).

The blocks of one page run in order like the cells of a notebook: each sees the names the earlier ones
defined, in one working directory per page, so a tutorial can build its agent step by step.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from pytest_examples import CodeExample, EvalExample, find_examples

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = list(find_examples(str(ROOT / "README.md"), str(ROOT / "docs")))
_PAGE_GLOBALS: dict[UUID | None, dict[str, Any]] = {}
_PAGE_DIRS: dict[UUID | None, Path] = {}


@pytest.fixture(scope="module", autouse=True)
def _tracing_off_afterwards() -> Iterator[None]:
    yield
    from goalgraph import traces

    traces.shutdown()  # blocks turn tracing on; the tests after these expect it off


def test_docs_have_python_examples() -> None:
    assert EXAMPLES, "README.md and docs/ should carry runnable Python examples"


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=lambda e: f"{Path(e.path).relative_to(ROOT)}:{e.start_line}"
)
def test_code_block_runs(
    example: CodeExample,
    eval_example: EvalExample,
    tmp_path_factory: pytest.TempPathFactory,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if example.group not in _PAGE_DIRS:
        _PAGE_DIRS[example.group] = tmp_path_factory.mktemp(Path(example.path).stem)
    monkeypatch.chdir(_PAGE_DIRS[example.group])  # blocks that write files (trace stores, results) write here
    earlier = _PAGE_GLOBALS.setdefault(example.group, {})
    defined = eval_example.run(example, module_globals=dict(earlier))
    earlier.update({k: v for k, v in defined.items() if not k.startswith("__")})
