"""The engine as typed tools (`search`, `answer`) for pydantic-ai agents, LangGraph nodes and GOAP plans."""

from __future__ import annotations

from pydantic import BaseModel, Field

from goalgraph.tools import Tool, tool

from ._engine import EngineAnswer, RetrievalEngine
from ._index import ScoredPassage

__all__ = ["Passages", "SearchQuery", "retrieval_tools"]


class SearchQuery(BaseModel):
    """A query for the retrieval engine."""

    query: str = Field(min_length=1, description="What to search for.")
    k: int = Field(default=5, ge=1, le=50, description="How many passages to return.")


class Passages(BaseModel):
    """Retrieved passages, best first."""

    query: str = Field(description="The query they were retrieved for.")
    hits: list[ScoredPassage] = Field(description="The passages with scores.")


def retrieval_tools(
    engine: RetrievalEngine,
) -> tuple[Tool[SearchQuery, Passages], Tool[SearchQuery, EngineAnswer]]:
    """``(search, answer)``: typed tools over `engine` (retrieve only; retrieve and answer)."""

    @tool(name="search", rerunnable=True)
    def search(query: SearchQuery) -> Passages:
        """Retrieve the passages that best match a query."""
        return Passages(query=query.query, hits=engine.retrieve(query.query, query.k))

    @tool(name="answer", rerunnable=True)
    async def answer(query: SearchQuery) -> EngineAnswer:
        """Retrieve passages for a query and answer it from them only."""
        return await engine.answer_from_passages(query.query, query.k)

    return search, answer
