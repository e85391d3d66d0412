"""Typed, short LLM calls through pydantic-ai, shared by the retrieval engine and the search agents."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, create_model

from goalgraph.llm import literal_of

__all__ = ["ask", "choice_model", "resolve_model"]

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


async def ask(model: Any, output_type: type[T], instructions: str, prompt: str, *, max_tokens: int = 64) -> T:
    """One typed call: `prompt` under `instructions`, the reply validated as `output_type`."""
    from pydantic_ai import Agent

    agent = Agent(model, output_type=output_type, instructions=instructions, retries=1)
    result = await agent.run(prompt, model_settings={"max_tokens": max_tokens, "temperature": 0.0})
    return cast(T, result.output)


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
