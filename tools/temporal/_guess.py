"""A model's typed reading of a time expression the rules could not resolve, and its grounded resolution.

The model only fills small typed slots (granularity, year, month, day, how many periods back); this module
turns them into a window and drops any slot the question text does not support, so a small model can
help without inventing dates.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field

from ._calendar import month_mentions
from ._relative import latest_year
from ._window import TimeWindow

__all__ = ["WindowGuess", "resolve_guess"]


class WindowGuess(BaseModel):
    """Slots a model fills for the period a question asks about."""

    model_config = ConfigDict(frozen=True)

    unit: Literal["none", "day", "week", "month", "year"] = Field(
        description="Granularity of the period the question asks about; 'none' if it names no period."
    )
    year: int | None = Field(default=None, ge=1900, le=2100, description="The year written in the question.")
    month: int | None = Field(default=None, ge=1, le=12, description="The month named in the question, 1-12.")
    day: int | None = Field(default=None, ge=1, le=31, description="The day of the month in the question.")
    periods_ago: int | None = Field(
        default=None,
        ge=0,
        le=100,
        description="For relative periods: how many units before the moment of asking (1 = last week/month).",
    )


def _unit_window(moment: datetime, unit: str, source: str) -> TimeWindow:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "day":
        start, step = day, relativedelta(days=1)
    elif unit == "week":
        start, step = day - timedelta(days=day.weekday()), relativedelta(weeks=1)
    elif unit == "month":
        start, step = day.replace(day=1), relativedelta(months=1)
    else:
        start, step = day.replace(month=1, day=1), relativedelta(years=1)
    return TimeWindow(start=start, end=start + step - timedelta(seconds=1), source=source)


def resolve_guess(guess: WindowGuess, question: str, asked_at: datetime | None = None) -> TimeWindow | None:
    """The window a guess names, using only slots grounded in ``question``; None when nothing is left.

    A year counts only if it is written in the question, a month only if one is named, a day only with
    its month and its number written; a month without a year is the latest one before ``asked_at``;
    relative guesses need ``asked_at``.
    """
    if guess.unit == "none":
        return None
    months = month_mentions(question)
    month = guess.month if guess.month in months else None
    day = (
        guess.day
        if month and guess.day and re.search(rf"\b{guess.day}(?:st|nd|rd|th)?\b", question)
        else None
    )
    year = guess.year if guess.year is not None and re.search(rf"\b{guess.year}\b", question) else None
    if year is None and month is not None and asked_at is not None:
        # "on January 10" with no year: the latest such date not after the moment of asking.
        year = latest_year(month, day or 1, asked_at)
    if year is not None:
        try:
            if day is not None and month is not None:
                return _unit_window(datetime(year, month, day), "day", "llm")
        except ValueError:
            pass
        if month is not None:
            return _unit_window(datetime(year, month, 1), "month", "llm")
        return _unit_window(datetime(year, 1, 1), "year", "llm")
    if (
        guess.periods_ago is not None
        and asked_at is not None
        and guess.unit in ("day", "week", "month", "year")
    ):
        shift = {
            "day": relativedelta(days=guess.periods_ago),
            "week": relativedelta(weeks=guess.periods_ago),
            "month": relativedelta(months=guess.periods_ago),
            "year": relativedelta(years=guess.periods_ago),
        }[guess.unit]
        try:
            start = asked_at - shift
        except (OverflowError, ValueError):  # stepped back past year 1
            return None
        return _unit_window(start, guess.unit, "llm")
    return None
