"""Expressions relative to the moment of asking: "two months ago", "last Friday", "last weekend",
"next month", "tomorrow", and dates or months written without their year.

Dates without a year ("on January 10", "in July", "3 years ago in January") are completed in the text
itself (``with_years``), so every absolute rule of the parser applies to them; the year is the latest
one that puts the date at or before the moment of asking, as in ``resolve_guess``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from ._calendar import month_number
from ._units import MONTHS, NUM, UNIT, WEEKDAYS, day_bounds, number, shift
from ._window import TimeWindow

__all__ = ["latest_year", "relative_window", "with_years"]

_AGO = re.compile(rf"\b(?P<n>{NUM})\s+{UNIT}\s+ago\b", re.I)
_LAST_WEEKDAY = re.compile(rf"\blast\s+(?P<wd>{'|'.join(WEEKDAYS)})\b", re.I)
_LAST_WEEKEND = re.compile(r"\blast\s+weekend\b", re.I)
_UNIT_WORD = re.compile(r"\b(?P<rel>last|next)\s+(?P<unit>week|month|year)\b", re.I)
_DAY_WORD = re.compile(r"\b(?P<w>yesterday|today|tonight|tomorrow|this morning|this evening)\b", re.I)

# Month names standing alone are capitalised ("in May", not "may"); with a day any case is accepted
# except "may", which is far more often the verb.
_FULL_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DAY_MONTHS = rf"(?i:{MONTHS.replace('may|', '')})|May"
_NO_YEAR = r"(?![\s,]*(?:\d|of\b))"  # not already followed by a year (or a day: "July 4")
_MONTH_DAY = re.compile(
    rf"\b(?P<m>{_DAY_MONTHS})\.?\s+(?P<d>\d{{1,2}})(?P<sfx>st|nd|rd|th)?\b(?![\s,]*\d{{4}})(?!:)"
    rf"|\b(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_DAY_MONTHS})\b(?![\s,]*\d)"
)
_YEARS_BACK = rf"(?:(?P<n>{NUM})\s+years?\s+ago|(?P<rel>last|this)\s+year)"
_MONTH_BACK = re.compile(
    rf"\b(?i:{_YEARS_BACK}),?\s+(?i:in|during)\s+(?P<m>{_FULL_MONTHS})\b{_NO_YEAR}"
    rf"|\b(?i:in|during)\s+(?P<m2>{_FULL_MONTHS}),?\s+(?i:(?P<n2>{NUM})\s+years?\s+ago|(?P<rel2>last|this)\s+year)\b"
)
_LAST_MONTH_NAME = re.compile(rf"\b(?i:last)\s+(?P<m>{_FULL_MONTHS})\b{_NO_YEAR}")
_MONTH_ALONE = re.compile(
    rf"\b(?P<pre>(?i:in|during|of)\s+(?:(?i:early|mid|late)[-\s]+)?)"
    rf"(?P<m>{_FULL_MONTHS})\b{_NO_YEAR}"
)


def latest_year(month: int, day: int, asked_at: datetime) -> int | None:
    """The latest year in which ``month``/``day`` is a real date not after ``asked_at`` (Feb 29: a leap year)."""
    for year in range(asked_at.year, asked_at.year - 9, -1):
        try:
            if datetime(year, month, day) <= asked_at:
                return year
        except ValueError:
            continue
    return None


def with_years(text: str, asked_at: datetime) -> str:
    """``text`` with the year written after each date or month that lacks one ("on January 10" asked in
    July 2025 -> "on January 10, 2025"; "3 years ago in January" -> "in January 2022"; "last March"
    -> "in March 2025"; "in July" -> "in July 2025" when asked after July 1)."""

    def month_back(m: re.Match[str]) -> str:
        n, rel = m["n"] or m["n2"], (m["rel"] or m["rel2"] or "").lower()
        back = number(n) if n else (1 if rel == "last" else 0)
        return f"in {m['m'] or m['m2']} {asked_at.year - back}"

    def last_month_name(m: re.Match[str]) -> str:
        month = month_number(m["m"])
        return f"in {m['m']} {asked_at.year if month < asked_at.month else asked_at.year - 1}"

    def month_day(m: re.Match[str]) -> str:
        name, day = m["m"] or m["m2"], int(m["d"] or m["d2"])
        year = latest_year(month_number(name), day, asked_at) if 1 <= day <= 31 else None
        return m[0] if year is None else f"{m[0]}, {year}"

    def month_alone(m: re.Match[str]) -> str:
        month = month_number(m["m"])
        return f"{m[0]} {asked_at.year if month <= asked_at.month else asked_at.year - 1}"

    text = _MONTH_BACK.sub(month_back, text)
    text = _LAST_MONTH_NAME.sub(last_month_name, text)
    text = _MONTH_DAY.sub(month_day, text)
    return _MONTH_ALONE.sub(month_alone, text)


def _unit_start(moment: datetime, unit: str) -> datetime:
    day = moment.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "week":
        return day - timedelta(days=day.weekday())
    if unit == "month":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def _ago(m: re.Match[str], asked_at: datetime) -> TimeWindow:
    unit = m["unit"].lower()
    moment = asked_at - shift(number(m["n"]), unit)
    if unit in ("minute", "hour"):
        return TimeWindow(start=moment, end=moment, source="ago")
    if unit == "day":
        s, e = day_bounds(moment)
        return TimeWindow(start=s, end=e, source="ago")
    if unit == "week":
        s, _ = day_bounds(moment)
        return TimeWindow(start=s, end=s + timedelta(days=7, seconds=-1), source="ago")
    first = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    step = relativedelta(months=1)
    if unit == "year":
        first, step = first.replace(month=1), relativedelta(years=1)
    return TimeWindow(start=first, end=first + step - timedelta(seconds=1), source="ago")


def relative_window(text: str, asked_at: datetime) -> TimeWindow | None:
    """The window a relative expression in ``text`` names, seen from ``asked_at``; None without one
    (or when it falls off the calendar).

    Weeks run Monday to Sunday; "last weekend" is the Saturday and Sunday before this week's Monday;
    "last/next week, month, year" are the calendar units before/after the current one. "This week" and
    the like are left to the model's typed guess.
    """
    try:
        return _relative(text, asked_at)
    except (OverflowError, ValueError):  # stepped past year 1 or 9999
        return None


def _relative(text: str, asked_at: datetime) -> TimeWindow | None:
    m = _AGO.search(text)
    if m:
        return _ago(m, asked_at)
    m = _LAST_WEEKDAY.search(text)
    if m:
        target = WEEKDAYS.index(m["wd"].lower())
        back = (asked_at.weekday() - target) % 7 or 7
        s, e = day_bounds(asked_at - timedelta(days=back))
        return TimeWindow(start=s, end=e, source="last_weekday")
    if _LAST_WEEKEND.search(text):
        saturday = _unit_start(asked_at, "week") - timedelta(days=2)
        return TimeWindow(start=saturday, end=saturday + timedelta(days=2, seconds=-1), source="last_weekend")
    m = _UNIT_WORD.search(text)
    if m:
        unit, rel = m["unit"].lower(), m["rel"].lower()
        step = relativedelta(**{unit + "s": 1})  # type: ignore[arg-type]
        start = _unit_start(asked_at, unit) + (step if rel == "next" else -step)
        return TimeWindow(start=start, end=start + step - timedelta(seconds=1), source=f"{rel}_{unit}")
    m = _DAY_WORD.search(text)
    if m:
        shift_days = {"yesterday": -1, "tomorrow": 1}.get(m["w"].lower(), 0)
        s, e = day_bounds(asked_at + timedelta(days=shift_days))
        return TimeWindow(start=s, end=e, source="day_word")
    return None
