"""The eval's baselines: the closed-book answer has room for its longest reply and a defined failure."""

from __future__ import annotations

import asyncio

from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph.agents._rearag_eval import closed_book
from goalgraph.llm import model


def test_closed_book_answers_where_a_short_limit_cut_the_reply() -> None:
    # With 32 tokens the embedded model's reply to this question was cut off inside the JSON and the
    # episode crashed; the limit now fits the longest valid answer.
    answer = asyncio.run(
        closed_book(model("local"), "In what city are both 8 Spruce Street and the World Trade Center?")
    )
    assert isinstance(answer, str) and answer.strip()


def test_closed_book_without_a_valid_reply_is_an_empty_answer() -> None:
    def prose(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        return ModelResponse(parts=[TextPart("I think it is probably somewhere in New York.")])

    assert asyncio.run(closed_book(FunctionModel(prose), "Where is it?")) == ""
    assert asyncio.run(closed_book(None, "Where is it?")) == ""
