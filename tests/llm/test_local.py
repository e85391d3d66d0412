"""The embedded model through pydantic-ai: typed outputs of several shapes, and tool calls, all valid."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_ai import Agent, NativeOutput, PromptedOutput
from pydantic_ai.usage import UsageLimits

from goalgraph.llm import LocalModel, count_tokens
from goalgraph.tools import tool

SHORT = {"max_tokens": 64}


class Capital(BaseModel):
    city: str = Field(max_length=30)
    country: str = Field(max_length=30)


class Fact(BaseModel):
    """Nested: a model inside a model."""

    capital: Capital
    population_millions: int


class Mood(StrEnum):
    happy = "happy"
    sad = "sad"


class Fruits(BaseModel):
    """A bounded list, so the grammar stops it."""

    names: list[str] = Field(min_length=1, max_length=3)


def test_nested_model_validates(local_model: LocalModel) -> None:
    result = Agent(local_model, output_type=Fact).run_sync(
        "The capital of France and its population.", model_settings=SHORT
    )
    assert isinstance(result.output, Fact)
    assert isinstance(result.output.capital, Capital)


def test_literal_and_enum_validate(local_model: LocalModel) -> None:
    literal = Agent(local_model, output_type=Literal["positive", "negative"]).run_sync(
        "Is 'I love it' positive or negative?", model_settings=SHORT
    )
    assert literal.output in ("positive", "negative")
    enum = Agent(local_model, output_type=Mood).run_sync(
        "I just won the lottery! How do I feel?", model_settings=SHORT
    )
    assert isinstance(enum.output, Mood)


def test_list_validates(local_model: LocalModel) -> None:
    result = Agent(local_model, output_type=Fruits).run_sync(
        "Name up to three fruits.", model_settings={"max_tokens": 64}
    )
    assert 1 <= len(result.output.names) <= 3
    assert all(isinstance(name, str) for name in result.output.names)


def test_agent_calls_a_tool_with_schema_valid_arguments(local_model: LocalModel) -> None:
    calls: list[tuple[float, float]] = []

    @tool
    def multiply(a: float, b: float) -> float:
        """Multiply two numbers."""
        calls.append((a, b))
        return a * b

    class Product(BaseModel):
        value: float

    agent = Agent(
        local_model,
        output_type=Product,
        tools=[multiply.as_pydantic_ai()],
        system_prompt="First call the multiply tool with the two numbers, then give its result as the final result.",
    )
    result = agent.run_sync(
        "What is 6 times 7?", model_settings=SHORT, usage_limits=UsageLimits(request_limit=5)
    )
    assert calls, "the model never called the tool"
    assert all(isinstance(a, float) and isinstance(b, float) for a, b in calls)
    assert isinstance(result.output, Product)
    assert result.usage.input_tokens > 0 and result.usage.output_tokens > 0


def test_plain_text_reply_and_token_count(local_model: LocalModel) -> None:
    reply = Agent(local_model).run_sync("What is the capital of France?", model_settings={"max_tokens": 24})
    assert "Paris" in reply.output
    assert count_tokens(local_model, "Hello world") == local_model.engine.count_tokens("Hello world") > 0


def test_native_and_prompted_output_validate(local_model: LocalModel) -> None:
    native = Agent(local_model, output_type=NativeOutput(Capital)).run_sync(
        "The capital of Spain?", model_settings=SHORT
    )
    assert isinstance(native.output, Capital)
    prompted = Agent(local_model, output_type=PromptedOutput(Capital)).run_sync(
        "The capital of Japan?", model_settings=SHORT
    )
    assert isinstance(prompted.output, Capital)


def test_count_tokens_of_a_chat_and_of_messages(local_model: LocalModel) -> None:
    result = Agent(local_model).run_sync("Say hi.", model_settings={"max_tokens": 8})
    chat = [{"role": "user", "content": "Say hi."}]
    assert count_tokens(local_model, chat) > count_tokens(local_model, "Say hi.")
    assert count_tokens(local_model, result.all_messages()) > count_tokens(local_model, chat)


def test_seeded_sampling_is_deterministic(local_model: LocalModel) -> None:
    settings = {"max_tokens": 12, "temperature": 0.9, "seed": 7}
    first = Agent(local_model).run_sync("Name a colour.", model_settings=settings).output
    second = Agent(local_model).run_sync("Name a colour.", model_settings=settings).output
    assert first == second


def test_jump_forward_emits_forced_text_without_a_forward_pass_per_token(local_model: LocalModel) -> None:
    engine = local_model.engine
    schema = {
        "type": "object",
        "properties": {
            "tool": {"const": "final_result_with_a_long_constant_name"},
            "arguments": {
                "type": "object",
                "properties": {"city": {"enum": ["Rome", "Paris"]}},
                "required": ["city"],
            },
        },
        "required": ["tool", "arguments"],
    }
    chat = [{"role": "user", "content": "Which city is the capital of Italy?"}]
    real_model = engine.model
    calls = {"forward": 0}

    class Counting:
        def __getattr__(self, name: str) -> object:
            return getattr(real_model, name)

        def __call__(self, *args: object, **kwargs: object) -> object:
            calls["forward"] += 1
            return real_model(*args, **kwargs)

    passes = {}
    texts = {}
    try:
        engine.model = Counting()
        for jump in (False, True):
            engine.jump_forward = jump
            calls["forward"] = 0
            generation = engine.generate(chat, schema=schema, max_new_tokens=64)
            passes[jump], texts[jump] = calls["forward"], generation.text
    finally:
        engine.model, engine.jump_forward = real_model, True
    for text in texts.values():
        parsed = json.loads(text)
        assert parsed["tool"] == "final_result_with_a_long_constant_name"
        assert parsed["arguments"]["city"] in {"Rome", "Paris"}
    # Only the enum choice (and its tail) needs the model; the keys and the constant come for free.
    assert passes[True] * 3 < passes[False], passes
