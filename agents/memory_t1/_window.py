"""Stage 1: the window a question asks about — rule parser first, the LLM as a typed fallback.

window = await estimate_window_text(text, asked_at, model)   # TimeWindow; source 'llm' when the model helped
parsed = parse_question_window(text, asked_at)                # the parser's window + whether the LLM should try
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field, create_model

from goalgraph.llm import literal_of
from goalgraph.tools.temporal import TimeWindow, WindowGuess, month_mentions, parse_window, resolve_guess

from ._types import ParsedWindow

__all__ = ["TIME_CUE", "estimate_window_text", "llm_window", "parse_question_window"]

# Words that say a question names a time the rules may have missed (the LLM is asked only then).
TIME_CUE = re.compile(
    r"\b(?:yesterday|today|tonight|ago|last|next|previous|week|month|year|weekend|(?:19|20)\d\d|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.I,
)
_INSTRUCTIONS = """Fill the slots for the time period the question asks about.
unit: day, week, month or year; none if the question names no period.
year, month (1-12), day: copy them from the question when it writes them.
periods_ago: for 'last week', 'two months ago' (1, 2, ...).
Examples:
'What was the third trip John took in 2022?' -> {"unit": "year", "year": 2022}
'Where did Ann go last week?' -> {"unit": "week", "periods_ago": 1}
'What did Tom buy on March 3?' -> {"unit": "day", "month": 3, "day": 3}
'Which durations are longer?' -> {"unit": "none"}"""


_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_DAY_AFTER_MONTH = re.compile(
    r"\b(?:january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|"
    r"apr|jun|jul|aug|sep|sept|oct|nov|dec)\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b",
    re.I,
)


def guess_type(question: str) -> type[BaseModel]:
    """The `WindowGuess` slots as a schema whose year / month / day can only be values written in ``question``.

    A 135M model copies a value far more reliably when the grammar offers just the ones in the text.
    """
    fields: dict[str, Any] = {}
    years = sorted({int(y) for y in _YEAR.findall(question)})
    months = sorted(month_mentions(question))
    days = sorted({int(d) for d in _DAY_AFTER_MONTH.findall(question) if 1 <= int(d) <= 31})
    if years:
        fields["year"] = (literal_of(years) | None, Field(description="The year written in the question."))
    if months:
        fields["month"] = (literal_of(months) | None, Field(description="The month named in the question."))
    if days:
        fields["day"] = (literal_of(days) | None, Field(description="The day of the month in the question."))
    fields["unit"] = (
        Literal["none", "day", "week", "month", "year"],
        Field(description="Granularity of the period asked about; none if it names no period."),
    )
    if not years:
        fields["periods_ago"] = (
            int | None,
            Field(default=None, ge=0, le=100, description="Units before the moment of asking (1 = last)."),
        )
    return create_model("WindowSlots", **fields)  # type: ignore[call-overload, no-any-return]


async def llm_window(model: Any, question: str, asked_at: datetime | None) -> TimeWindow | None:
    """Ask ``model`` for typed window slots and resolve them against the question text (None if unusable)."""
    from pydantic_ai import Agent
    from pydantic_ai.exceptions import AgentRunError

    first_line = question.strip().splitlines()[0] if question.strip() else ""
    agent = Agent(model, output_type=guess_type(first_line), instructions=_INSTRUCTIONS)
    try:
        slots = (await agent.run(f"Question: {first_line}")).output
    except AgentRunError:
        return None  # a model that cannot produce the slots leaves the window open
    guess = WindowGuess.model_validate(slots.model_dump())
    window = resolve_guess(guess, first_line, asked_at)
    if window is not None and asked_at is not None and window.end is not None and window.end >= asked_at:
        window = TimeWindow(start=window.start, end=None, source=window.source)
    return window


def parse_question_window(question: str, asked_at: datetime | None) -> ParsedWindow:
    """The parser's window, and whether the LLM fallback should try: only when the parser found nothing
    but the question has a time cue, and something can ground a guess (the moment of asking, or a year or
    month written in the question)."""
    window = parse_window(question, asked_at)
    first_line = question.strip().splitlines()[0] if question.strip() else ""
    cue = bool(TIME_CUE.search(first_line) or month_mentions(first_line))
    grounded = asked_at is not None or bool(_YEAR.search(first_line) or month_mentions(first_line))
    return ParsedWindow(window=window, needs_llm=window.source == "none" and cue and grounded)


async def estimate_window_text(question: str, asked_at: datetime | None, model: Any = None) -> TimeWindow:
    """The parser's window; when it finds none but the question has a time cue, the model's grounded guess."""
    parsed = parse_question_window(question, asked_at)
    if not parsed.needs_llm or model is None:
        return parsed.window
    return await llm_window(model, question, asked_at) or parsed.window
