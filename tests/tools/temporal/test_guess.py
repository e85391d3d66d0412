"""resolve_guess keeps only the slots a question's text supports."""

from __future__ import annotations

from datetime import datetime

from goalgraph.tools.temporal import WindowGuess, resolve_guess


def _bounds(guess: WindowGuess, question: str, asked: datetime | None = None) -> tuple[object, object] | None:
    w = resolve_guess(guess, question, asked)
    return None if w is None else (w.start, w.end)


def test_year_month_day_must_be_written() -> None:
    q = "What was the third trip John took in 2022?"
    assert _bounds(WindowGuess(unit="year", year=2022), q) == (
        datetime(2022, 1, 1),
        datetime(2022, 12, 31, 23, 59, 59),
    )
    assert _bounds(WindowGuess(unit="year", year=2019), q) is None  # a year the question does not write
    # a month the question does not name is dropped, leaving the year
    assert _bounds(WindowGuess(unit="month", year=2022, month=5), q) == (
        datetime(2022, 1, 1),
        datetime(2022, 12, 31, 23, 59, 59),
    )
    q = "What did Tom buy on March 3rd, 2021?"
    assert _bounds(WindowGuess(unit="day", year=2021, month=3, day=3), q) == (
        datetime(2021, 3, 3),
        datetime(2021, 3, 3, 23, 59, 59),
    )
    assert _bounds(WindowGuess(unit="day", year=2021, month=3, day=4), q) == (
        datetime(2021, 3, 1),
        datetime(2021, 3, 31, 23, 59, 59),
    )


def test_month_without_year_is_the_latest_before_asking() -> None:
    q = "What did Nebraas do after her talk on January 10?"
    guess = WindowGuess(unit="day", month=1, day=10)
    assert _bounds(guess, q, datetime(2025, 7, 17)) == (
        datetime(2025, 1, 10),
        datetime(2025, 1, 10, 23, 59, 59),
    )
    assert _bounds(WindowGuess(unit="month", month=12), "in December", datetime(2025, 7, 17)) == (
        datetime(2024, 12, 1),
        datetime(2024, 12, 31, 23, 59, 59),
    )
    assert _bounds(guess, q) is None  # no year and no moment of asking
    # February 29 without a year: the latest leap year's, not the month of a year that lacks the day
    assert _bounds(WindowGuess(unit="day", month=2, day=29), "on February 29", datetime(2025, 7, 17)) == (
        datetime(2024, 2, 29),
        datetime(2024, 2, 29, 23, 59, 59),
    )


def test_relative_needs_the_moment_of_asking() -> None:
    asked = datetime(2023, 10, 17, 15)  # a Tuesday
    last_week = WindowGuess(unit="week", periods_ago=1)
    assert _bounds(last_week, "Where did Ann go last week?", asked) == (
        datetime(2023, 10, 9),
        datetime(2023, 10, 15, 23, 59, 59),
    )
    assert _bounds(last_week, "Where did Ann go last week?") is None
    assert _bounds(WindowGuess(unit="none", year=2023), "in 2023", asked) is None


def test_month_mentions_skip_the_verb_may_and_names() -> None:
    from goalgraph.tools.temporal import month_mentions

    assert month_mentions("There may be one or more correct options") == set()
    assert month_mentions("What did Jan buy in May?") == {5}
    assert month_mentions("between May 3, 2023 and Jan 5, 2024") == {1, 5}
    assert month_mentions("the parade in late May and the March 2022 trip") == {3, 5}
