"""Typed values that flow through the Memory-T1 pipeline: Question -> TimeWindow -> Candidates -> Ranked -> Answer.

On the way: ParsedWindow (the rule parser's window, and whether the LLM fallback should try), Evidence (what
the deterministic evidence tools located) and ModelAnswer (the LLM's typed selection and answer).
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from goalgraph.tools.temporal import TimeWindow

__all__ = [
    "Answer",
    "Candidates",
    "Evidence",
    "MemoryT1Config",
    "ModelAnswer",
    "ParsedWindow",
    "Question",
    "Ranked",
    "RankedSession",
    "Session",
    "TimeWindow",
]


class Session(BaseModel):
    """One dialogue session: its id, start time and turns (``speaker: text`` lines or plain strings)."""

    model_config = ConfigDict(frozen=True)

    session_id: str = Field(description="Unique id within the conversation, e.g. 'session_3'.")
    time: datetime = Field(description="When the session took place.")
    turns: tuple[str, ...] = Field(description="Utterances in order, each 'Speaker: text'.")

    @property
    def text(self) -> str:
        """All turns joined by newlines."""
        return "\n".join(self.turns)


class Question(BaseModel):
    """A question about a conversation stored under ``namespace``, asked at ``asked_at``."""

    model_config = ConfigDict(frozen=True)

    text: str = Field(description="The question, with its options for choice questions.")
    namespace: tuple[str, ...] = Field(description="Store namespace of the conversation's sessions.")
    asked_at: datetime | None = Field(
        default=None, description="When the question is asked (anchors 'last Friday')."
    )
    task: str = Field(default="", description="Benchmark task name (decides the answer format).")


class ParsedWindow(BaseModel):
    """The rule parser's reading of a question's time: its window, and whether the LLM fallback should try.

    Not a `TimeWindow` subclass on purpose: the planner must not take a parse for a settled window.
    """

    window: TimeWindow = Field(description="The parser's window (open when it resolved nothing).")
    needs_llm: bool = Field(
        description="The parser resolved nothing, yet the question has a time cue the model could ground "
        "(a relative phrase with a known moment of asking, or a year or month written in it)."
    )


class Candidates(BaseModel):
    """Sessions left after the time filter (all sessions when the window is open or nothing survives)."""

    question: Question = Field(description="The question being answered.")
    window: TimeWindow = Field(description="The estimated window.")
    session_ids: tuple[str, ...] = Field(description="Candidate session ids, chronological.")
    filtered: bool = Field(description="True when the time filter actually restricted the set.")


class RankedSession(BaseModel):
    """A candidate with its BM25 score and text."""

    session_id: str = Field(description="Session id.")
    time: datetime | None = Field(description="Session time.")
    score: float = Field(description="Lexical relevance score (higher is better).")
    text: str = Field(description="Session text (truncated to the token budget).")


class Ranked(BaseModel):
    """Top-k candidates by relevance that fit the token budget."""

    question: Question = Field(description="The question being answered.")
    window: TimeWindow = Field(description="The estimated window.")
    sessions: tuple[RankedSession, ...] = Field(description="Best first.")


class Evidence(BaseModel):
    """What the deterministic evidence tools found in the ranked sessions' utterances."""

    ranked: Ranked = Field(description="The ranked sessions the evidence comes from.")
    format: str = Field(description="Answer format: 'choice', 'multi', 'order' or 'text'.")
    choices: list[str] = Field(
        default_factory=list,
        description="For free-text answers, the candidate answers (times of matching utterances).",
    )
    answer: str | None = Field(
        default=None, description="The evidence tools' answer in the benchmark's format, if one applied."
    )
    method: str = Field(
        default="llm", description="The tool behind `answer` (timeline, order_compare, option_match ...)."
    )
    sessions: list[str] = Field(default_factory=list, description="Sessions the evidence answer rests on.")


class ModelAnswer(BaseModel):
    """The model's typed stage-2 output, normalised to the benchmark's string format."""

    selected_memory: list[str] = Field(description="The evidence session ids the model selected.")
    answer: str = Field(description="The model's answer in the benchmark's format.")


class Answer(BaseModel):
    """Stage-2 output: the evidence sessions and the answer in the benchmark's format."""

    selected_memory: list[str] = Field(description="Ids of the sessions the answer rests on.")
    answer: str = Field(description="Choice letters ('A' or 'A C'), a time string, or an order '(1)(3)(2)'.")
    llm_answer: str | None = Field(
        default=None, description="The model's own answer in the same format (None without a model)."
    )
    method: str = Field(
        default="llm",
        description="What produced `answer`: 'llm', 'none', or the evidence tool (timeline, order_compare, ...).",
    )


class MemoryT1Config(BaseModel):
    """Pipeline settings."""

    model_config = ConfigDict(frozen=True)

    use_time_filter: bool = Field(default=True, description="Filter candidates by the estimated window.")
    margin_days: float = Field(
        default=3.0, ge=0, description="Recall-first widening of the window on each side."
    )
    top_k: int = Field(
        default=3, ge=1, description="At most this many ranked sessions go to the answer step."
    )
    token_budget: int = Field(
        default=700, ge=50, description="Approximate token budget of the evidence text in the prompt."
    )
    evidence_scoring: bool = Field(
        default=True,
        description="Let deterministic evidence tools answer when they apply (event order, durations, "
        "times of located utterances, option-to-utterance match); the model's answer is kept as llm_answer.",
    )
    llm_window_fallback: bool = Field(
        default=True,
        description="Ask the LLM for a window when the parser finds none but the question has a time cue.",
    )
