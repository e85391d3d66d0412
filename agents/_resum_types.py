"""Types of the ReSum agent: actions, the summary state, the configuration and the graph state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, ConfigDict, Field, create_model

from goalgraph.llm import literal_of

__all__ = [
    "AnswerAction",
    "ReSumConfig",
    "ReSumState",
    "SearchAction",
    "Summary",
    "VisitAction",
    "evidence_model",
    "step_model",
]


class SearchAction(BaseModel):
    """Search the corpus with one to three queries."""

    tool: Literal["search"] = Field(description="Always ``search``.")
    queries: list[Annotated[str, Field(max_length=60)]] = Field(
        min_length=1, max_length=3, description="Queries, a few words each."
    )


class VisitAction(BaseModel):
    """Read one document found by a search and extract evidence for a goal."""

    tool: Literal["visit"] = Field(description="Always ``visit``.")
    doc: str = Field(description="Title of a document from the search results.")
    goal: str = Field(max_length=80, description="What to look for in it.")


class AnswerAction(BaseModel):
    """Give the final answer."""

    tool: Literal["answer"] = Field(description="Always ``answer``.")
    answer: str = Field(max_length=60, description="The final answer.")


class Summary(BaseModel):
    """The summarizer's output: the state a restarted conversation resumes from."""

    # min_length: the grammar then cannot emit "" items (a small model otherwise fills the lists with
    # empty strings, and the restart message carries nothing).
    facts: list[Annotated[str, Field(min_length=3, max_length=80)]] = Field(
        max_length=3, description="Verified facts, each found in a search or document."
    )
    gaps: list[Annotated[str, Field(min_length=3, max_length=60)]] = Field(
        max_length=2, description="Information still missing to answer the question."
    )
    next: list[Annotated[str, Field(min_length=3, max_length=60)]] = Field(
        max_length=2, description="What to search or read next."
    )

    def render(self) -> str:
        """The summary as text, as it appears in the restart message (items without a word left out)."""
        parts = ["Facts: " + ("; ".join(_worded(self.facts)) or "none")]
        parts.append("Missing: " + ("; ".join(_worded(self.gaps)) or "nothing"))
        parts.append("Next: " + ("; ".join(_worded(self.next)) or "answer"))
        return "\n".join(parts)

    def kept_facts(self) -> list[str]:
        """The facts the restart message shows: the summary's evidence (gaps and next steps are not)."""
        return _worded(self.facts)


def _worded(items: list[str]) -> list[str]:
    return [i.strip() for i in items if any(ch.isalnum() for ch in i)]


def step_model(titles: Sequence[str], can_answer: bool = True) -> type[BaseModel]:
    """The agent's step type: a thought and one action.

    The grammar offers ``visit`` only for titles the agent has seen, and ``answer`` only once its
    context holds some result (or a summary): an answer from nothing is not an action of this agent.
    """
    actions: list[Any] = [SearchAction, AnswerAction] if can_answer else [SearchAction]
    if titles:
        doc_type: Any = literal_of(titles)
        visit = create_model(
            "Visit",
            __base__=VisitAction,
            doc=(doc_type, Field(description="Title of a document from the search results.")),
        )
        actions.insert(1, visit)
    if len(actions) == 1:
        union: Any = actions[0]
    else:
        members: Any = actions[0]
        for action in actions[1:]:
            members = members | action
        union = Annotated[members, Field(discriminator="tool")]
    return create_model(
        "AgentStep",
        __config__=ConfigDict(extra="forbid"),
        thought=(str, Field(max_length=80, description="What is known and what to do next.")),
        action=(union, Field(description="search, visit or answer.")),
    )


def evidence_model(sentences: int, most: int) -> type[BaseModel]:
    """The visit extractor's output: up to `most` distinct sentence numbers in 1..`sentences`."""
    number: Any = literal_of(range(1, sentences + 1))
    return create_model(
        "Evidence",
        __config__=ConfigDict(extra="forbid"),
        sentences=(
            list[number],
            Field(min_length=1, max_length=most, description="Numbers of the evidence sentences."),
        ),
    )


@dataclass(frozen=True)
class ReSumConfig:
    """Budget, summarization trigger and loop limits."""

    budget: int = 2048
    """Context budget in the model's tokens (prompt plus the reply it may generate)."""
    threshold: float = 0.9
    """Summarize when the context reaches this fraction of the budget (the paper's default)."""
    summarize_every: int | None = None
    """Also summarize every N rounds (None: only at the threshold)."""
    summarize: bool = True
    """False gives the plain ReAct baseline: no summaries; on overflow it truncates and must answer."""
    max_rounds: int = 10
    """Tool calls allowed before the agent must answer."""
    step_tokens: int = 128
    """Generation limit of one agent step."""
    protocol_tokens: int = 64
    """Reserve for what the model backend adds around the prompt (tool-call instructions, chat template)."""
    summary_tokens: int = 192
    """Generation limit of one summary (its longest valid JSON fits: a cut-off summary would not parse)."""
    answer_tokens: int = 32
    """Generation limit of the final answer's JSON (room for its longest option is added)."""
    hits_per_query: int = 3
    """Search results shown per query."""
    snippet_chars: int = 200
    """Characters of each search result shown."""
    evidence_sentences: int = 2
    """Sentences a visit returns (at most)."""
    visit_shortlist: int = 6
    """Sentences of a visited document shown to the extractor (best lexical matches, in text order)."""
    options: int = 6
    """Answer candidates offered to the final answer step."""


def _append(left: list[Any], right: list[Any]) -> list[Any]:
    return [*left, *right]


class ReSumState(TypedDict, total=False):
    """The graph state: the working context, the summary chain and the full trajectory."""

    question: str
    messages: list[dict[str, str]]
    summary: str | None
    facts: list[str]
    summaries: Annotated[list[str], _append]
    trajectory: Annotated[list[dict[str, Any]], _append]
    titles: list[str]
    retrieved: Annotated[list[str], _append]
    pending: dict[str, Any] | None
    route: str
    rounds: int
    peak_tokens: int
    overflows: int
    status: str
    proposed: str | None
    answer: str
