"""Shared vocabulary: number words, calendar shifts, whole days."""

from __future__ import annotations

from datetime import datetime

from dateutil.relativedelta import relativedelta

from goalgraph.tools.temporal._units import day_bounds, number, shift


def test_number_words_and_numerals() -> None:
    assert [number(w) for w in ("7", "an", "Twelve", "a couple of", "several")] == [7, 1, 12, 2, 3]


def test_shift_and_day_bounds() -> None:
    assert shift(3, "Week") == relativedelta(weeks=3)
    assert day_bounds(datetime(2019, 6, 2, 17, 45, 12)) == (
        datetime(2019, 6, 2),
        datetime(2019, 6, 2, 23, 59, 59),
    )
