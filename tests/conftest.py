"""Fixtures shared by every test package."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The shared benchmark data directory (GOALGRAPH_SHARED_DATA, default ../shared/data); skips if absent."""
    path = Path(os.environ.get("GOALGRAPH_SHARED_DATA", REPO_ROOT.parent / "shared" / "data"))
    if not path.is_dir():
        pytest.skip(f"shared data not found at {path} (set GOALGRAPH_SHARED_DATA)")
    return path
