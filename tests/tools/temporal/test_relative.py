"""Relative expressions and dates written without a year, resolved against the moment of asking."""

from __future__ import annotations

from datetime import datetime

from hypothesis import given
from hypothesis import strategies as st

from goalgraph.tools.temporal import parse_window
from goalgraph.tools.temporal._relative import relative_window, with_years

ASKED = datetime(2031, 5, 14, 9, 30)  # a Wednesday


def _bounds(text: str, asked: datetime = ASKED) -> tuple[datetime | None, datetime | None]:
    w = parse_window(text, asked_at=asked)
    return w.start, w.end


def test_month_and_day_without_year_is_the_latest_such_day() -> None:
    assert _bounds("What did Bo cook on March 2?") == (datetime(2031, 3, 2), datetime(2031, 3, 2, 23, 59, 59))
    assert _bounds("What did Bo cook on October 9th?") == (
        datetime(2030, 10, 9),
        datetime(2030, 10, 9, 23, 59, 59),
    )
    assert _bounds("Who phoned on the 3rd of February?")[0] == datetime(2031, 2, 3)
    assert _bounds("What happened on Feb 29?")[0] == datetime(2028, 2, 29)  # the latest leap day
    assert parse_window("What did Bo cook on March 2?").is_open  # no moment of asking: no year
    # A speaker's "on October 9th" may be a plan: dating utterances does not complete the year.
    assert parse_window("We fly out on October 9th.", asked_at=ASKED, complete_years=False).is_open


def test_yearless_dates_feed_the_absolute_rules() -> None:
    assert _bounds("What did Bo read between December 20 and January 5?") == (
        datetime(2030, 12, 20),
        datetime(2031, 1, 5, 23, 59, 59),
    )
    assert _bounds("What did Bo do after 4:15 pm, April 30?") == (datetime(2031, 4, 30, 16, 15), None)


def test_month_without_year() -> None:
    assert _bounds("What did Bo plant in April?") == (datetime(2031, 4, 1), datetime(2031, 4, 30, 23, 59, 59))
    assert _bounds("What did Bo plant during September?")[0] == datetime(2030, 9, 1)
    assert _bounds("What did Bo plant in late February?") == (
        datetime(2031, 2, 21),
        datetime(2031, 2, 28, 23, 59, 59),
    )
    assert _bounds("What did Bo plant last June?")[0] == datetime(2030, 6, 1)
    assert _bounds("What did Bo plant last January?")[0] == datetime(2031, 1, 1)


def test_may_is_a_month_only_when_written_as_one() -> None:
    assert with_years("Bo may 12 times a day", ASKED) == "Bo may 12 times a day"
    assert with_years("Bo said it may happen in a year", ASKED) == "Bo said it may happen in a year"
    assert _bounds("What did Bo say on May 20?")[0] == datetime(2030, 5, 20)  # May 20, 2031 is still ahead


def test_years_back_in_a_month() -> None:
    assert _bounds("When did Bo adopt the cat two years ago in August?") == (
        datetime(2029, 8, 1),
        datetime(2029, 8, 31, 23, 59, 59),
    )
    assert _bounds("What did Bo buy in March, 4 years ago?")[0] == datetime(2027, 3, 1)
    assert _bounds("What did Bo buy in November last year?")[0] == datetime(2030, 11, 1)
    assert _bounds("What did Bo buy last year in July?")[0] == datetime(2030, 7, 1)


def test_last_weekend_is_the_saturday_and_sunday_before_this_week() -> None:
    assert _bounds("Where did Bo hike last weekend?") == (
        datetime(2031, 5, 10),
        datetime(2031, 5, 11, 23, 59, 59),
    )
    assert relative_window("last week's quiz", ASKED) is not None  # "last week", not "last weekend"
    assert relative_window("last week's quiz", ASKED).source == "last_week"  # type: ignore[union-attr]


def test_next_unit_and_tomorrow_start_after_now_and_stay_open() -> None:
    assert _bounds("What is Bo doing next month?") == (datetime(2031, 6, 1), None)
    assert _bounds("What is Bo doing next week?") == (datetime(2031, 5, 19), None)
    assert _bounds("What is Bo doing next year?") == (datetime(2032, 1, 1), None)
    assert _bounds("What is Bo doing tomorrow?") == (datetime(2031, 5, 15), None)


def test_this_unit_is_left_to_the_model() -> None:
    assert parse_window("What is Bo planning this week?", asked_at=ASKED).is_open


def test_the_edges_of_the_calendar_give_no_window() -> None:
    assert relative_window("What is Bo doing next year?", datetime(9999, 12, 31)) is None
    assert relative_window("What did Bo do last month?", datetime(1, 1, 1)) is None


@given(
    st.datetimes(min_value=datetime(1950, 1, 1), max_value=datetime(2040, 12, 31)),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=28),
)
def test_yearless_day_is_never_after_asking(asked: datetime, month: int, day: int) -> None:
    names = ["January", "February", "March", "April", "May", "June", "July"]
    names += ["August", "September", "October", "November", "December"]
    w = parse_window(f"What did Bo do on {names[month - 1]} {day}?", asked_at=asked)
    assert w.start is not None and (w.start.month, w.start.day) == (month, day)
    assert w.start <= asked and (asked - w.start).days < 366
