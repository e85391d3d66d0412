"""Shared vocabulary of the temporal parsers: counts in words, calendar units, weekdays, whole days."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta

__all__ = ["MONTHS", "NUM", "UNIT", "WEEKDAYS", "day_bounds", "number", "shift"]

MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
_UNITS = {
    "minute": "minutes",
    "hour": "hours",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
}
_NUM_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "a couple of": 2,
    "a few": 3,
    "several": 3,
}
NUM = r"(?:\d+|a couple of|a few|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)"
UNIT = r"(?P<unit>minute|hour|day|week|month|year)s?"
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def number(text: str) -> int:
    """The count a numeral or number word of ``NUM`` stands for ("3", "three", "a couple of")."""
    text = text.lower()
    return int(text) if text.isdigit() else _NUM_WORDS[text]


def shift(n: int, unit: str) -> relativedelta:
    """``n`` calendar units (minute .. year, singular, any case) as a relativedelta."""
    return relativedelta(**{_UNITS[unit.lower()]: n})  # type: ignore[arg-type]


def day_bounds(day: datetime) -> tuple[datetime, datetime]:
    """The first and last second of the day ``day`` falls on."""
    start = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start.replace(hour=23, minute=59, second=59)
