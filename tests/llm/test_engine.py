"""The engine's grammar: pydantic's tagged unions compile without xgrammar's oneOf fallback warning."""

from __future__ import annotations

from typing import Literal

import pytest
from pydantic import BaseModel, Field
from pydantic_ai import Agent

from goalgraph.llm import LocalModel
from goalgraph.llm._engine import discriminated_as_any_of


class Search(BaseModel):
    function: Literal["search"]
    query: str = Field(max_length=40)


class Finish(BaseModel):
    function: Literal["finish"]
    answer: str = Field(max_length=40)


class Step(BaseModel):
    thought: str = Field(max_length=60)
    action: Search | Finish = Field(discriminator="function")


def test_tagged_union_becomes_any_of_with_the_same_branches() -> None:
    schema = Step.model_json_schema()
    action = schema["properties"]["action"]
    assert "oneOf" in action and "discriminator" in action
    rewritten = discriminated_as_any_of(schema)
    assert rewritten["properties"]["action"] == {"anyOf": action["oneOf"], "title": "Action"}
    assert rewritten["$defs"] == schema["$defs"]
    assert schema["properties"]["action"]["oneOf"], "the input schema is not modified"


def test_untagged_one_of_and_lookalike_properties_are_kept() -> None:
    untagged = {"oneOf": [{"type": "integer"}, {"type": "number"}]}
    assert discriminated_as_any_of(untagged) == untagged
    # Properties that happen to be named like the keywords are schemas (dicts), not a tagged union.
    lookalike = {
        "type": "object",
        "properties": {"oneOf": {"type": "string"}, "discriminator": {"type": "string"}},
    }
    assert discriminated_as_any_of(lookalike) == lookalike


def test_local_model_writes_a_tagged_union_without_the_warning(
    local_model: LocalModel, capfd: pytest.CaptureFixture[str]
) -> None:
    result = Agent(local_model, output_type=Step).run_sync(
        "Question: who wrote The Age of Reason? Write the next step.", model_settings={"max_tokens": 96}
    )
    assert isinstance(result.output.action, Search | Finish)
    assert "oneOf" not in capfd.readouterr().err
