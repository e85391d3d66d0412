"""Rule-based temporal-expression parser: question text (+ the moment it is asked) -> TimeWindow.

Why hand-written: dateparser/dateutil parse a single date string well (used here for every date),
but no maintained library extracts *intervals* from English ("between A and B", "in just 13 months
after T", "the 10 days before T", "last Friday", "two months ago") with day/minute granularity rules.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from ._calendar import HOLIDAY, HOLIDAY_IN_YEAR, early_late, holiday, month_number
from ._relative import relative_window, with_years
from ._units import MONTHS, NUM, UNIT, day_bounds, number, shift
from ._window import TimeWindow

__all__ = ["parse_point", "parse_window"]

_MONTHS = MONTHS
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"\d{4}"
_DATE = (
    rf"(?:(?P<m1>{_MONTHS})\.?\s+(?P<d1>{_DAY}),?\s+(?P<y1>{_YEAR})"
    rf"|(?P<d2>{_DAY})\s+(?:of\s+)?(?P<m2>{_MONTHS}),?\s+(?P<y2>{_YEAR})"
    rf"|(?P<y3>{_YEAR})-(?P<mo3>\d{{2}})-(?P<d3>\d{{2}}))"
)
_TIME = (
    r"(?:(?P<h>\d{1,2}):(?P<mi>\d{2})(?::(?P<s>\d{2}))?\s*(?P<ap>[ap]\.?\s?m\.?)?"
    r"|(?P<h2>\d{1,2})\s*(?P<ap2>[ap]\.?\s?m\.?)|(?P<word>midnight|noon))"
)


def _named(pattern: str, prefix: str) -> str:
    """Rename the groups of ``pattern`` so it can appear twice in one regex."""
    return re.sub(r"\(\?P<(\w+)>", rf"(?P<{prefix}\1>", pattern)


def _point_re(prefix: str) -> str:
    date, time = _named(_DATE, prefix), _named(_TIME, prefix + "t")
    date2, time2 = _named(_DATE, prefix + "b"), _named(_TIME, prefix + "tb")
    return rf"(?:{date}(?:,?\s+(?:at\s+)?{time})?|{time2},?\s+(?:on\s+)?{date2})"


def _get(m: re.Match[str], prefix: str, name: str) -> str | None:
    for key in (prefix + name, prefix + "b" + name):
        if key in m.re.groupindex and m.group(key):
            return m.group(key)
    return None


def _date_of(m: re.Match[str], p: str) -> datetime | None:
    for k in ("1", "2"):
        month = _get(m, p, "m" + k)
        if month:
            day, year = _get(m, p, "d" + k), _get(m, p, "y" + k)
            assert day is not None and year is not None
            return _safe_date(int(year), month_number(month), int(re.sub(r"\D", "", day)))
    year = _get(m, p, "y3")
    if year:
        return _safe_date(int(year), int(_get(m, p, "mo3") or 1), int(_get(m, p, "d3") or 1))
    return None


def _safe_date(year: int, month: int, day: int) -> datetime | None:
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def _time_of(m: re.Match[str], p: str) -> tuple[int, int, int] | None:
    t = p + "t"
    word = _get(m, t, "word")
    if word:
        return (0, 0, 0) if word.lower() == "midnight" else (12, 0, 0)
    hour = _get(m, t, "h") or _get(m, t, "h2")
    if hour is None:
        return None
    h, mi, s = int(hour), int(_get(m, t, "mi") or 0), int(_get(m, t, "s") or 0)
    ampm = (_get(m, t, "ap") or _get(m, t, "ap2") or "").lower()
    if ampm.startswith("p") and h < 12:
        h += 12
    elif ampm.startswith("a") and h == 12:
        h = 0
    if h > 23 or mi > 59 or s > 59:
        return None
    return h, mi, s


def _point(m: re.Match[str], p: str, *, end: bool) -> datetime | None:
    """A date with optional time; a bare date is its first second (start) or last second (end)."""
    day = _date_of(m, p)
    if day is None:
        return None
    clock = _time_of(m, p)
    if clock is None:
        return day.replace(hour=23, minute=59, second=59) if end else day
    return day.replace(hour=clock[0], minute=clock[1], second=clock[2])


_P1, _P2 = _point_re("a"), _point_re("c")
_BETWEEN_TIMES = re.compile(
    rf"\b(?:between|from)\s+{_named(_TIME, 'xt')}\s+(?:and|to|until)\s+{_named(_TIME, 'yt')},?\s+on\s+{_named(_DATE, 'z')}",
    re.I,
)
_BETWEEN = re.compile(rf"\b(?:between|from)\s+{_P1},?\s+(?:and|to|until|through)\s+{_P2}", re.I)
# "between January 8, 2024, at 04:31:27 and 13:44:23": the second bound is a clock time on the first date.
_BETWEEN_TO_TIME = re.compile(
    rf"\b(?:between|from)\s+{_P1},?\s+(?:and|to|until|through)\s+(?:at\s+)?{_named(_TIME, 'yt')}", re.I
)
_SPAN = re.compile(
    rf"\b(?:in|within)\s+(?P<art>just|the)?\s*(?P<n>{NUM})\s+{UNIT}\s+(?P<dir>after|before)\s+{_P1}", re.I
)
_POINT_SHIFT = re.compile(
    rf"\b(?:just|exactly)\s+(?P<n>{NUM})\s+{UNIT}\s+(?P<dir>after|before)\s+{_P1}", re.I
)
_PART_OF_DAY = re.compile(
    rf"\b(?:the\s+)?(?P<part>early morning|late morning|morning|afternoon|early evening|late evening|evening|night)"
    rf"\s+of\s+{_named(_DATE, 'z')}",
    re.I,
)
# Parts of the day as clock ranges (hour, hour): conventional English, not learned from any data.
_PARTS = {
    "early morning": (0, 6),
    "morning": (6, 12),
    "late morning": (9, 12),
    "afternoon": (12, 18),
    "early evening": (18, 21),
    "evening": (18, 24),
    "late evening": (18, 24),
    "night": (18, 24),
}
_EARLY_LATE = re.compile(
    rf"\b(?P<el>early|mid|late)[-\s]+(?:(?P<mon>{_MONTHS})\s+)?(?P<yr>(?:19|20)\d\d)\b", re.I
)
_AFTER = re.compile(rf"\b(?P<dir>after|since|before|until)\s+{_P1}", re.I)
_ON = re.compile(rf"\b(?:on|at)\s+{_P1}", re.I)
_ON_DAY_TIMES = re.compile(
    rf"\bon\s+{_named(_DATE, 'z')},?\s+(?:between|from)\s+{_named(_TIME, 'xt')}\s+(?:and|to|until)\s+{_named(_TIME, 'yt')}",
    re.I,
)
_BEFORE = re.compile(r"\b(?:before|since|until)\b", re.I)
_LONE_DATE = re.compile(_named(_DATE, "z"), re.I)
_MONTH_YEAR = re.compile(
    rf"\b(?P<pre>in|during|of)\s+(?:(?:his|her|their|the|a|an)\s+)?(?P<mon>{_MONTHS})\s+(?P<yr>{_YEAR})\b",
    re.I,
)


def parse_point(text: str, *, end: bool = False) -> datetime | None:
    """The first absolute date (with optional time) in ``text``; a bare date maps to its start or end second."""
    m = re.search(_P1, text, re.I)
    return _point(m, "a", end=end) if m else None


def _absolute(text: str) -> TimeWindow | None:
    for pattern in (_BETWEEN_TIMES, _ON_DAY_TIMES):
        m = pattern.search(text)
        if not m:
            continue
        day = _date_of(m, "z")
        t1, t2 = _time_of(m, "x"), _time_of(m, "y")
        if day and t1 and t2:
            return TimeWindow(
                start=day.replace(hour=t1[0], minute=t1[1], second=t1[2]),
                end=day.replace(hour=t2[0], minute=t2[1], second=t2[2]),
                source="between_times",
            )
    # A month or year that follows "after" dates the anchor event ("after X in March 2022"), not the window.
    anchored = re.search(r"\bafter\b", text, re.I) is not None
    m = _BETWEEN.search(text)
    if m:
        start, end = _point(m, "a", end=False), _point(m, "c", end=True)
        if start and end:
            return TimeWindow(start=start, end=end, source="between")
    m = _BETWEEN_TO_TIME.search(text)
    if m:
        start, clock = _point(m, "a", end=False), _time_of(m, "y")
        if start and clock and _time_of(m, "a") is not None:
            end = start.replace(hour=clock[0], minute=clock[1], second=clock[2])
            if end >= start:
                return TimeWindow(start=start, end=end, source="between")
    m = _SPAN.search(text)
    if m:
        anchor = _point(m, "a", end=False)
        if anchor:
            delta = shift(number(m["n"]), m["unit"])
            by_day = m["unit"].lower() in ("day", "week")
            at_midnight = (anchor.hour, anchor.minute) == (0, 0)
            if m["dir"].lower() == "after":
                end = anchor + delta
                if by_day and at_midnight:
                    # "6 days after 12:00 am, Feb 8" counts whole days and includes the day it lands on:
                    # Feb 8 .. Feb 14 23:59:59 (the reading the Time-Dialog annotation uses most often).
                    end = end.replace(hour=23, minute=59, second=59)
                return TimeWindow(start=anchor, end=end, source="span_after")
            start = anchor - delta
            if by_day and not at_midnight:
                # "in the 10 days before 11:01 pm, Dec 30" counts whole days: the window starts at midnight.
                start = start.replace(hour=0, minute=0, second=0)
            end = anchor - timedelta(seconds=1) if by_day and at_midnight else anchor
            return TimeWindow(start=start, end=end, source="span_before")
    m = _POINT_SHIFT.search(text)
    if m:
        anchor = _point(m, "a", end=False)
        if anchor:
            sign = 1 if m["dir"].lower() == "after" else -1
            moment = anchor + sign * shift(number(m["n"]), m["unit"])
            if (anchor.hour, anchor.minute) == (0, 0):
                s, e = day_bounds(moment)
                return TimeWindow(start=s, end=e, source="point_shift")
            return TimeWindow(start=moment, end=moment, source="point_shift")
    m = _PART_OF_DAY.search(text)
    if m:
        day = _date_of(m, "z")
        if day:
            lo, hi = _PARTS[m["part"].lower()]
            return TimeWindow(
                start=day.replace(hour=lo),
                end=day.replace(hour=hi - 1, minute=59, second=59),
                source="part_of_day",
            )
    m = None if anchored else _EARLY_LATE.search(text)
    if m:
        return early_late(m["el"].lower(), m["mon"], int(m["yr"]))
    m = _AFTER.search(text)
    if m:
        word = m["dir"].lower()
        if word in ("after", "since"):
            anchor = _point(m, "a", end=False)
            return TimeWindow(start=anchor, end=None, source="after") if anchor else None
        anchor = _point(m, "a", end=False)
        if anchor is None:
            return None
        # "before 9:10 pm" ends at 9:09:59; "before June 16" ends at the last second of June 15.
        return TimeWindow(start=None, end=anchor - timedelta(seconds=1), source="before")
    m = HOLIDAY.search(text)
    if m:
        return holiday(m)
    m = None if anchored else _MONTH_YEAR.search(text)
    if m:
        first = datetime(int(m["yr"]), month_number(m["mon"]), 1)
        last = first + relativedelta(months=1) - timedelta(seconds=1)
        return TimeWindow(start=first, end=last, source="month")
    # "the third Halloween costume she wore in 2021": a holiday dated by a year later in its sentence.
    m = None if anchored or _BEFORE.search(text) else HOLIDAY_IN_YEAR.search(text)
    if m:
        return holiday(m)
    # A bare year ("the third photo in 2022") is annotated as often open as closed: left to the LLM fallback.
    m = _ON.search(text)
    if m:
        start = _point(m, "a", end=False)
        if start is not None and _time_of(m, "a") is None:
            s, e = day_bounds(start)
            return TimeWindow(start=s, end=e, source="on_day")
    # A single full date with no other cue ("during the early hours of January 3, 2024") names that day.
    dates = list(_LONE_DATE.finditer(text))
    if len(dates) == 1:
        day = _date_of(dates[0], "z")
        if day is not None:
            s, e = day_bounds(day)
            return TimeWindow(start=s, end=e, source="date")
    return None


_OPTION_OR_FACT = re.compile(r"^\s*(?:[A-H][.)]|\(\d+\))\s*")
# "If X did not ... between A and B, what did X do between C and D": the condition is hypothetical,
# so the window comes from the main clause when it names one.
_CONDITION = re.compile(r"^\s*if\b.*?,\s*(?=(?:what|which|how|when|where|who)\b)", re.I | re.S)


def _stem(question: str) -> str:
    """The question without its answer options ("A. ...") and numbered facts ("(3) ..."): those lines date
    the options, not the window the question asks about."""
    lines = [line for line in question.splitlines() if not _OPTION_OR_FACT.match(line)]
    return "\n".join(lines)


def _find(text: str, asked_at: datetime | None, complete_years: bool) -> TimeWindow | None:
    if asked_at is None:
        return _absolute(text)
    completed = with_years(text, asked_at) if complete_years else text
    return _absolute(completed) or relative_window(text, asked_at)


def parse_window(
    question: str, asked_at: datetime | None = None, *, complete_years: bool = True
) -> TimeWindow:
    """The window ``question`` asks about; open bounds where it names none.

    Absolute expressions win over relative ones; relative ones ("last Friday", "two months ago")
    need ``asked_at`` and yield an open window without it. An end at or after ``asked_at`` is open.
    With ``complete_years`` a date or month without a year ("on January 10", "in July") gets the latest
    year not after ``asked_at`` — right for questions about the past; a speaker's "on July 10" may be a
    plan, so dating utterances turns it off.
    """
    stem = _stem(question)
    condition = _CONDITION.match(stem)
    window = _find(stem[condition.end() :], asked_at, complete_years) if condition else None
    if window is None:
        window = _find(stem, asked_at, complete_years)
    if window is None:
        return TimeWindow(source="none")
    if asked_at is not None and window.end is not None and window.end >= asked_at:
        window = TimeWindow(start=window.start, end=None, source=window.source)
    return window
