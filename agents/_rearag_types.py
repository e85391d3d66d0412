"""Types of the ReaRAG loop: the typed action union, the configuration and the graph state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypedDict

from pydantic import BaseModel, Field

__all__ = [
    "Finish",
    "FinishStep",
    "ReaRAGConfig",
    "ReaRAGState",
    "Search",
    "SearchStep",
    "Status",
    "Step",
    "initial_state",
]

# Every generated character costs a decoding pass on a small CPU: a thought of a short sentence is enough
# to carry the reasoning a 135M model can do, and it keeps one step near a second of decoding.
_THOUGHT = 64

Status = Literal["running", "finished", "max_steps", "invalid_action", "engine_error"]


class Search(BaseModel):
    """Action: look something up in the knowledge source."""

    function: Literal["search"] = Field(description="Always ``search``.")
    query: str = Field(max_length=64, description="What to search for (one fact).")


class Finish(BaseModel):
    """Action: end the reasoning and give the final answer."""

    function: Literal["finish"] = Field(description="Always ``finish``.")
    answer: str = Field(max_length=64, description="The final answer.")


class Step(BaseModel):
    """One reasoning step: a thought, then exactly one action."""

    thought: str = Field(
        max_length=_THOUGHT, description="Reasoning about what is known and what is missing."
    )
    action: Search | Finish = Field(
        discriminator="function", description="``search(query)`` or ``finish(answer)``."
    )


class SearchStep(BaseModel):
    """A step whose action must be a search (the first step: nothing is known yet)."""

    thought: str = Field(
        max_length=_THOUGHT, description="Reasoning about what is known and what is missing."
    )
    action: Search = Field(description="``search(query)``.")


class FinishStep(BaseModel):
    """A step whose action must be finish (the last step the chain allows)."""

    thought: str = Field(
        max_length=_THOUGHT, description="Reasoning about what is known and what is missing."
    )
    action: Finish = Field(description="``finish(answer)``.")


@dataclass(frozen=True)
class ReaRAGConfig:
    """Loop limits and generation sizes."""

    max_steps: int = 15
    """Maximum chain length (Thought–Action–Observation steps), as in the paper's inference."""
    retry_max: int = 2
    """Invalid actions tolerated in a row (each retried with feedback) before the run stops."""
    engine_errors_max: int = 2
    """Consecutive engine failures tolerated before the run stops."""
    retry_temperature: float = 0.7
    """Sampling temperature of a retry after an invalid step (seeded; the first try is greedy)."""
    step_tokens: int = 96
    """Generation limit of one Thought + Action."""
    answer_tokens: int = 32
    """Generation limit of the short-answer step's JSON (room for its longest option is added)."""
    options: int = 6
    """Answer candidates offered to the short-answer step."""
    expand_queries: bool = True
    """Add the previous observation's answer to a query that lacks it (grounds the next hop in the last)."""
    contextual_search: bool = True
    """Fuse each search's ranking with the main question's."""
    new_passages_only: bool = True
    """Each search returns passages not retrieved earlier in the chain."""
    ground_queries: bool = True
    """Keep only query words found in the question or the observations (drops made-up entities)."""
    query_words: int = 12
    """Longest query, in words, after grounding."""
    seed_search: bool = True
    """The chain opens with a search for the question itself (IRCoT's initial retrieval) before the
    model writes its first step: a small model's first sub-query retrieves worse than the question
    (supporting-paragraph recall 0.58 vs 0.74 on 20 pooled multihop questions), and its later hops
    build on what that search found. The model must still search once on its own before finishing."""
    answer_from_evidence: bool = True
    """The short answer is read from the passages the chain gathered (those its observations came from
    first), like one-shot RAG's but over the chain's evidence; the observations' answers are the
    fallback. A small model's later observations answer its sub-queries, not the question, and picking
    the final answer among them lost to one-shot RAG: on open questions first, and on yes/no and choice
    questions too (replayed on four recorded runs, the closed questions' summed F1 went 5.8 → 6.1,
    3.8 → 6.9, 7.4 → 8.4 and 4.4 → 5.4 when read from the evidence)."""
    bridge_repeats: int = 1
    """Times the model may repeat a query before the chain converges. A repeat still runs, expanded
    with the newest observation (``expand_queries``): a bridge hop for a model that cannot phrase the
    second query itself. Past this many, a repeat only lets the chain finish."""


def _append(left: list[Any], right: list[Any]) -> list[Any]:
    return [*left, *right]


class ReaRAGState(TypedDict, total=False):
    """The graph state: the question, the chain so far and the outcome."""

    question: str
    chain: Annotated[list[dict[str, Any]], _append]
    retries: int
    engine_errors: int
    feedback: str | None
    converged: bool
    pending: dict[str, Any] | None
    status: Status
    reference_answer: str | None
    answer: str


def initial_state(question: str) -> ReaRAGState:
    """The state a run starts from."""
    return ReaRAGState(
        question=question,
        chain=[],
        retries=0,
        engine_errors=0,
        feedback=None,
        converged=False,
        pending=None,
        status="running",
        reference_answer=None,
        answer="",
    )
