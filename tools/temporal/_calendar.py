"""Named calendar spans: holidays with a year, and "early / mid / late" parts of a year or month."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from dateutil.relativedelta import TH, relativedelta

from ._window import TimeWindow

__all__ = ["HOLIDAY", "HOLIDAY_IN_YEAR", "early_late", "holiday", "month_mentions", "month_number"]

_MONTH_NUM = {
    name: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}

# Fixed-date (month, day) holidays of the English-speaking calendar; Thanksgiving is computed.
_FIXED = {
    "new year's day": (1, 1),
    "new year's eve": (12, 31),
    "christmas eve": (12, 24),
    "christmas": (12, 25),
    "christmas day": (12, 25),
    "halloween": (10, 31),
    "valentine's day": (2, 14),
    "independence day": (7, 4),
    "fourth of july": (7, 4),
    "the fourth of july": (7, 4),
}
_HOLIDAY_NAME = (
    r"\b(?P<h>new year['’]s (?:day|eve)|christmas(?: eve| day)?|halloween|valentine['’]s day|"
    r"independence day|(?:the )?fourth of july|thanksgiving(?: day)?)"
)
HOLIDAY = re.compile(
    _HOLIDAY_NAME + r"\s*,?\s*(?:of\s+|in\s+)?"
    r"(?P<yr>(?:19|20)\d\d)\b",
    re.I,
)

# A holiday, then a bare year later in the same sentence ("the Halloween costume she wore in 2021").
HOLIDAY_IN_YEAR = re.compile(
    _HOLIDAY_NAME + r"\b[^.?!\n\d]*?"
    r"\b(?:in|during)\s+(?P<yr>(?:19|20)\d\d)\b(?![-/]\d)",
    re.I,
)

# A month named in running text: full names, abbreviations only before a day ("Jan 5", "Sept. 3"), and
# "may" only as a date ("May 3", "in May", "of May") since it is far more often the verb.
_MENTION = re.compile(
    r"\b(?P<m>january|february|march|april|june|july|august|september|october|november|december|"
    r"(?:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)(?=\.?\s*\d)|may(?=,?\s+\d)|(?<=in )may|"
    r"(?<=of )may|(?<=early )may|(?<=late )may|(?<=mid )may|(?<=mid-)may)\b",
    re.I,
)


def month_mentions(text: str) -> set[int]:
    """The months (1-12) that ``text`` names as months."""
    return {month_number(m["m"]) for m in _MENTION.finditer(text)}


def month_number(name: str) -> int:
    """1-12 for an English month name or abbreviation (any case, trailing dot allowed)."""
    return _MONTH_NUM[name.lower().rstrip(".")]


def holiday(m: re.Match[str]) -> TimeWindow:
    """The whole day of a holiday matched by ``HOLIDAY`` (Thanksgiving: fourth Thursday of November)."""
    name, year = m["h"].lower().replace("’", "'"), int(m["yr"])
    if name.startswith("thanksgiving"):
        day = datetime(year, 11, 1) + relativedelta(weekday=TH(4))
    else:
        month, dom = _FIXED[name]
        day = datetime(year, month, dom)
    return TimeWindow(start=day, end=day.replace(hour=23, minute=59, second=59), source="holiday")


def early_late(which: str, month: str | None, year: int) -> TimeWindow:
    """ "early 2020" = Jan-Mar, "late December 2023" = 21st-31st: quarters of a year, thirds of a month."""
    if month is None:
        first, step = datetime(year, 1, 1), relativedelta(months=3)
        first += {"early": relativedelta(), "mid": relativedelta(months=3), "late": relativedelta(months=9)}[
            which
        ]
        return TimeWindow(start=first, end=first + step - timedelta(seconds=1), source="early_late")
    first = datetime(year, month_number(month), 1)
    last = first + relativedelta(months=1) - timedelta(seconds=1)
    lo, hi = {"early": (1, 10), "mid": (11, 20), "late": (21, last.day)}[which]
    return TimeWindow(start=first.replace(day=lo), end=last.replace(day=hi), source="early_late")
