"""Typed, short LLM calls through pydantic-ai, shared by the retrieval engine and the search agents."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, create_model

from goalgraph.llm import literal_of

__all__ = ["Measured", "ask", "ask_measured", "choice_model", "choice_tokens", "resolve_model"]

T = TypeVar("T")


def resolve_model(model: Any) -> Any:
    """A pydantic-ai model from a spec string (``local``, ``openai:MODEL@URL``, ``scripted``) or a model."""
    if model is None or not isinstance(model, str):
        return model
    try:
        from goalgraph.llm import model as make_model  # type: ignore[attr-defined]
    except ImportError as error:
        raise RuntimeError(
            f"model spec {model!r} needs goalgraph.llm.model, which is not available: {error}"
        ) from None
    return make_model(model)


@dataclass(frozen=True)
class Measured(Generic[T]):
    """A typed reply with the token counts the model reported for the request(s) behind it."""

    output: T
    """The validated output."""
    input_tokens: int
    """Prompt tokens of the largest request (what the context had to hold)."""
    output_tokens: int
    """Tokens generated, over all requests (a validation retry makes two)."""


async def ask(
    model: Any,
    output_type: type[T],
    instructions: str,
    prompt: str,
    *,
    max_tokens: int = 64,
    temperature: float = 0.0,
    seed: int | None = None,
) -> T:
    """One typed call: `prompt` under `instructions`, the reply validated as `output_type`.

    Greedy by default; a retry passes a `temperature` (and a `seed`, for reproducible runs) so that it
    does not repeat the rejected reply word for word.
    """
    reply = await ask_measured(
        model, output_type, instructions, prompt, max_tokens=max_tokens, temperature=temperature, seed=seed
    )
    return reply.output


async def ask_measured(
    model: Any,
    output_type: type[T],
    instructions: str,
    prompt: str,
    *,
    max_tokens: int = 64,
    temperature: float = 0.0,
    seed: int | None = None,
    retries: int = 1,
) -> Measured[T]:
    """`ask`, also returning the prompt size the model itself counted (its usage report).

    `retries` is how often a reply that fails validation is sent back with the error. A retry's request
    holds the prompt, the failed reply and the error text, so a caller that sized the prompt to a token
    budget passes ``retries=0`` and handles the failure itself.
    """
    from pydantic_ai import Agent
    from pydantic_ai.messages import ModelResponse
    from pydantic_ai.settings import ModelSettings

    agent = Agent(model, output_type=output_type, instructions=instructions, retries=retries)
    settings = ModelSettings(max_tokens=max_tokens, temperature=temperature)
    if seed is not None:
        settings["seed"] = seed
    result = await agent.run(prompt, model_settings=settings)
    responses = [m for m in result.all_messages() if isinstance(m, ModelResponse)]
    largest = max((m.usage.input_tokens for m in responses), default=0)
    return Measured(cast(T, result.output), largest, sum(m.usage.output_tokens for m in responses))


def choice_model(
    name: str, options: Sequence[str], sources: int = 0, description: str = ""
) -> type[BaseModel]:
    """An output model whose ``answer`` must be one of `options` (and ``source`` one of 1..`sources`).

    The enum lands in the JSON schema, so a schema-constrained decoder can only produce a listed option.
    """
    if not options:
        raise ValueError("choice_model needs at least one option")
    answer_type: Any = literal_of(options)
    fields: dict[str, Any] = {
        "answer": (answer_type, Field(description=description or "The answer, one of the options."))
    }
    if sources:
        source_type: Any = literal_of(range(1, sources + 1))
        fields["source"] = (source_type, Field(description="Number of the passage that holds the answer."))
    return cast(type[BaseModel], create_model(name, __config__=ConfigDict(extra="forbid"), **fields))


def choice_tokens(options: Sequence[str], base: int) -> int:
    """A generation limit for a `choice_model` reply: `base` plus room for its longest option.

    A reply cut off before its closing brace does not parse, so the limit must fit the longest valid
    reply; a token is at least one character, so the option's length bounds its token count.
    """
    return base + max((len(option) for option in options), default=0)
