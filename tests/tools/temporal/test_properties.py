"""Hypothesis properties of the temporal-expression parser: equivalent spellings, relative anchors, spans."""

from __future__ import annotations

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from goalgraph.tools.temporal import parse_window

_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
days = st.dates(min_value=datetime(1950, 1, 1).date(), max_value=datetime(2040, 12, 31).date())
moments = st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2040, 12, 31))


@given(days)
def test_date_spellings_agree(day) -> None:  # type: ignore[no-untyped-def]
    spellings = [
        f"{_MONTHS[day.month - 1]} {day.day}, {day.year}",
        f"{day.day} {_MONTHS[day.month - 1]} {day.year}",
        f"{_MONTHS[day.month - 1][:3]} {day.day}, {day.year}",
        day.isoformat(),
    ]
    windows = {
        (parse_window(f"What did Ann do on {s}?").start, parse_window(f"What did Ann do on {s}?").end)
        for s in spellings
    }
    start = datetime(day.year, day.month, day.day)
    assert windows == {(start, start + timedelta(days=1, seconds=-1))}


@given(days)
def test_month_window_covers_exactly_the_month(day) -> None:  # type: ignore[no-untyped-def]
    w = parse_window(f"What did Ann cook in {_MONTHS[day.month - 1]} {day.year}?")
    first = datetime(day.year, day.month, 1)
    assert (w.start, w.end) == (first, first + relativedelta(months=1) - timedelta(seconds=1))
    assert w.contains(datetime(day.year, day.month, day.day, 12))


@given(moments, st.integers(min_value=1, max_value=12))
def test_days_ago_is_that_whole_day(asked: datetime, n: int) -> None:
    w = parse_window(f"What did Ben buy {n} days ago?", asked_at=asked)
    target = (asked - timedelta(days=n)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert (w.start, w.end) == (target, target + timedelta(days=1, seconds=-1))


@given(moments, st.sampled_from(_WEEKDAYS))
def test_last_weekday_is_the_latest_such_day_before_today(asked: datetime, weekday: str) -> None:
    w = parse_window(f"Where did Liam play last {weekday}?", asked_at=asked)
    assert w.start is not None and w.end is not None
    assert w.start.weekday() == _WEEKDAYS.index(weekday)
    assert 1 <= (asked.date() - w.start.date()).days <= 7
    assert w.end - w.start == timedelta(days=1, seconds=-1)


@given(moments, st.integers(min_value=1, max_value=30), st.sampled_from(["days", "months", "years"]))
def test_span_before_ends_at_the_anchor_and_is_ordered(anchor: datetime, n: int, unit: str) -> None:
    anchor = anchor.replace(second=0, microsecond=0)
    text = f"What has Sam done in the {n} {unit} before {anchor:%I:%M %p}, {_MONTHS[anchor.month - 1]} {anchor.day}, {anchor.year}?"
    w = parse_window(text)
    assert w.start is not None and w.end is not None
    assert w.start <= w.end <= anchor
    assert w.start <= anchor - relativedelta(**{unit: n}) + timedelta(days=1)  # type: ignore[arg-type]


@given(days, days)
def test_option_and_fact_lines_do_not_move_the_window(day, other) -> None:  # type: ignore[no-untyped-def]
    stem = f"What did Ann do in {_MONTHS[day.month - 1]} {day.year}?"
    noisy = (
        f"{stem}\nA. Ann hiked on {_MONTHS[other.month - 1]} {other.day}, {other.year}.\n"
        f"B. Nothing.\n(1) Ann moved on {other.isoformat()}."
    )
    assert parse_window(noisy) == parse_window(stem)


@given(st.integers(min_value=1950, max_value=2040))
def test_thanksgiving_is_the_fourth_thursday_of_november(year: int) -> None:
    w = parse_window(f"Who cooked on Thanksgiving {year}?")
    assert w.start is not None and w.start.month == 11 and w.start.weekday() == 3
    assert 22 <= w.start.day <= 28
