"""The real embedded model, loaded once per test session."""

from __future__ import annotations

import pytest

from goalgraph.llm import LocalModel, model


@pytest.fixture(scope="session")
def local_model() -> LocalModel:
    loaded = model("local")
    assert isinstance(loaded, LocalModel)
    _ = loaded.engine  # load now, so the first test does not carry the load time
    return loaded
