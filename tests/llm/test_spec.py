"""Model specs: each kind resolves, and bad specs or missing files name the problem."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_ai import Agent
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.models.test import TestModel

from goalgraph.llm import model, scripted


def test_unknown_spec_names_the_spec() -> None:
    with pytest.raises(ValueError, match=r"unknown model spec 'gpt-9'.*local"):
        model("gpt-9")


def test_malformed_openai_spec() -> None:
    with pytest.raises(ValueError, match="openai:MODEL@http"):
        model("openai:no-url")


def test_missing_gguf_names_the_path(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.gguf"
    with pytest.raises(FileNotFoundError, match=r"nowhere\.gguf"):
        model(f"local:{missing}")


def test_directory_without_model(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"neither a \.gguf file nor a model directory"):
        model(f"local:{tmp_path}")


def test_openai_and_scripted_specs() -> None:
    assert isinstance(model("openai:qwen@http://127.0.0.1:9/v1"), OpenAIChatModel)
    assert isinstance(model("scripted"), TestModel)
    assert model("scripted") is model("scripted")  # one instance per spec


def test_scripted_replies_in_order() -> None:
    from pydantic import BaseModel

    class City(BaseModel):
        name: str

    agent = Agent(scripted([{"name": "Oslo"}]), output_type=City)
    assert agent.run_sync("?").output == City(name="Oslo")
    assert Agent(scripted(["hello"])).run_sync("?").output == "hello"
