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


def test_score_reads_continuations_in_one_batch_like_one_at_a_time(local_model: LocalModel) -> None:
    import torch

    engine = local_model.engine
    chat = [
        {"role": "system", "content": "You answer questions."},
        {"role": "user", "content": "Question: What is the capital of France?\nAnswer with a short phrase."},
    ]
    options = ["Paris", "London", "the city of Berlin in Germany"]
    scores = engine.score(chat, options)
    prompt = engine.chat_ids(chat)[0].tolist()
    for option, score in zip(options, scores, strict=True):
        ids = engine.tokenizer.encode(option, add_special_tokens=False)
        with torch.inference_mode():
            logits = engine.model(input_ids=torch.tensor([prompt + ids])).logits[0].float().log_softmax(-1)
        alone = sum(float(logits[len(prompt) - 1 + i, token]) for i, token in enumerate(ids))
        assert score.tokens == len(ids) and score.logprob == pytest.approx(alone, abs=1e-3)
        assert score.mean == pytest.approx(score.logprob / score.tokens)
    assert scores[0].mean > scores[1].mean and scores[0].mean > scores[2].mean
    assert engine.score(chat, []) == []


def test_score_refuses_what_the_context_window_cannot_hold(local_model: LocalModel) -> None:
    engine = local_model.engine
    chat = [{"role": "user", "content": "word " * (engine.context_window + 10)}]
    with pytest.raises(ValueError, match="context window"):
        engine.score(chat, ["yes"])
