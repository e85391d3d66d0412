"""Temporal-expression parser: hand-checked cases and Hypothesis properties."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from goalgraph.tools.temporal import TimeWindow, parse_window

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


def test_between_dates_spans_whole_days() -> None:
    w = parse_window("What did Ann do between March 14, 2020 and April 1, 2020")
    assert (w.start, w.end) == (datetime(2020, 3, 14), datetime(2020, 4, 1, 23, 59, 59))


def test_between_times_on_day() -> None:
    w = parse_window("What did he say between 06:30:26 and 07:27:30 on January 17, 2024")
    assert (w.start, w.end) == (datetime(2024, 1, 17, 6, 30, 26), datetime(2024, 1, 17, 7, 27, 30))


def test_span_after_and_before() -> None:
    w = parse_window("What has James done in just 13 months after 12:00 am, October 20, 2022")
    assert (w.start, w.end) == (datetime(2022, 10, 20), datetime(2023, 11, 20))
    w = parse_window("What did she read in the 10 days before 11:01 pm, December 30, 2023")
    assert (w.start, w.end) == (datetime(2023, 12, 20), datetime(2023, 12, 30, 23, 1))


def test_open_bounds() -> None:
    assert parse_window("Which of the following two durations is longer").is_open
    w = parse_window("What was Sara's most recent activity after 5:48 pm, March 15, 2023")
    assert (w.start, w.end) == (datetime(2023, 3, 15, 17, 48), None)


def test_relative_needs_asked_at() -> None:
    asked = datetime(2023, 10, 17, 15, 0)  # a Tuesday
    assert parse_window("Where did Liam play last Friday?").is_open
    w = parse_window("Where did Liam play last Friday?", asked_at=asked)
    assert (w.start, w.end) == (datetime(2023, 10, 13), datetime(2023, 10, 13, 23, 59, 59))
    w = parse_window("What did he buy two months ago?", asked_at=asked)
    assert (w.start, w.end) == (datetime(2023, 8, 1), datetime(2023, 8, 31, 23, 59, 59))
    w = parse_window("What did he do yesterday?", asked_at=asked)
    assert w.start == datetime(2023, 10, 16)


@given(
    st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2040, 12, 31)),
    st.integers(min_value=0, max_value=400),
)
def test_between_roundtrip(start: datetime, days: int) -> None:
    start = start.replace(second=0, microsecond=0)
    end = start + timedelta(days=days, minutes=7)
    fmt = lambda t: f"{_MONTHS[t.month - 1]} {t.day}, {t.year}, at {t:%H:%M}"  # noqa: E731
    w = parse_window(f"What happened between {fmt(start)} and {fmt(end)}?")
    assert (w.start, w.end) == (start, end)
    assert w.start is not None and w.end is not None and w.start <= w.end


@given(
    st.text(alphabet=st.characters(codec="ascii"), max_size=120),
    st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2040, 1, 1)),
)
def test_never_crashes_and_end_not_after_asked(text: str, asked: datetime) -> None:
    w = parse_window(text, asked_at=asked)
    assert isinstance(w, TimeWindow)
    assert w.end is None or w.end < asked
