"""Named calendar spans: holidays dated by a year, early / mid / late parts of a period."""

from __future__ import annotations

from datetime import datetime

from goalgraph.tools.temporal import parse_window


def _bounds(text: str) -> tuple[datetime | None, datetime | None]:
    w = parse_window(text)
    return w.start, w.end


def test_holiday_dated_by_a_later_year_in_its_sentence() -> None:
    assert _bounds("Which pie did Lee bake for Thanksgiving dinner in 2019?") == (
        datetime(2019, 11, 28),
        datetime(2019, 11, 28, 23, 59, 59),
    )
    assert _bounds("What mask did Lee wear at the Halloween party during 2027?")[0] == datetime(2027, 10, 31)
    assert _bounds("What did Lee give for Christmas Eve dinners in 2018?")[0] == datetime(2018, 12, 24)


def test_holiday_year_is_not_taken_across_an_anchor_or_a_month() -> None:
    assert parse_window("What did Lee buy after the Christmas sale in 2022?").is_open  # dates the anchor
    assert parse_window("What did Lee cook before the Thanksgiving parade in 2022?").is_open
    # a month and year names the window itself
    w = parse_window("Who took the Christmas tree down in January 2023?")
    assert (w.start, w.source) == (datetime(2023, 1, 1), "month")


def test_early_mid_late_after_an_event_dates_the_event() -> None:
    assert parse_window("What was Lee's second hobby after moving out in late 2021?").is_open
    assert _bounds("What did Lee read in mid 2021?") == (
        datetime(2021, 4, 1),
        datetime(2021, 6, 30, 23, 59, 59),
    )
