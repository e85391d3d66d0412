"""Temporal comparisons ("Who was born first, A or B?") settled by the years in each option's own passage.

    comparison = temporal_comparison("Which band was formed first, Low or Cake?")   # start, earliest
    compare_by_year("Which band was formed first, Low or Cake?", ["Low", "Cake"], passages)  # "Low" | None

A 135M model cannot compare two dates it has read; it picks "yes", "no" or one of two names by its prior.
Comparing the years is arithmetic, so it is done here: find each option's own passage (its title names
the option), read the year of the event the question asks about (for a birth, a founding or a release:
a biography's opening "(born …)" or lifespan, else a year the text ties to a start, else the passage's
first year; for a death: the end of that lifespan, else a year after "died"), and pick. When any of that is missing the caller falls back to the model. No library reads event years out
of encyclopedic prose (dateparser parses one date string, it does not find which date is a birth), so
the rules are written here; they know nothing about any particular data set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ._data import Passage
from ._extract import content_tokens

__all__ = ["TemporalComparison", "YearReading", "compare_by_year", "temporal_comparison"]

_DISAMBIGUATION = re.compile(r"\s*\([^()]*\)\s*$")
_YEAR_DIGITS = r"(1[0-9]{3}|20[0-9]{2})"
_YEAR = re.compile(rf"\b{_YEAR_DIGITS}\b")
_OPENING_PARENTHESES = re.compile(r"\(([^()]*)\)")
_DIED = re.compile(rf"\b(?:died|death)\b[^.]{{0,60}}?\b{_YEAR_DIGITS}\b")
# "was born in 1950", "formed in Lancaster in the early 1980s" (a decade counts as its first year).
_STARTED = re.compile(
    r"\b(?:born|formed|founded|established|released|published|premiered|opened|built|created|launched|"
    rf"debuted|began|started)\b[^.]{{0,60}}?\b{_YEAR_DIGITS}(?:s\b|\b)"
)

_END_EVENT = re.compile(r"\b(?:died|dies|passed away|death)\b")
_LIFESPAN = re.compile(r"\blived longer\b|\blonger li(?:fe|ved)\b")
_START_EVENT = re.compile(
    r"\b(?:born|older|oldest|younger|youngest|formed|founded|established|released|published|created|"
    r"opened|built|started|began|launched|debuted|premiered|aired|introduced|came out|first appeared)\b"
)
_EARLIEST = re.compile(r"\b(?:first|earlier|earliest|older|oldest|before|sooner)\b")
_LATEST = re.compile(r"\b(?:later|latest|last|younger|youngest|more recent(?:ly)?|newer|after)\b")


@dataclass(frozen=True)
class TemporalComparison:
    """What a comparison question asks: which event's year, and whether the earliest or latest wins."""

    event: Literal["start", "end", "lifespan"]
    """``start`` (birth, founding, release), ``end`` (death), ``lifespan`` (years from birth to death)."""
    pick: Literal["min", "max"]
    """``min``: the earliest year (or shortest lifespan) wins; ``max``: the latest (or longest)."""


@dataclass(frozen=True)
class YearReading:
    """One option's year as read from its passage."""

    option: str
    """The option."""
    passage_id: str
    """The passage it was read from."""
    value: int
    """The year (or, for a lifespan, the years lived)."""


def temporal_comparison(question: str) -> TemporalComparison | None:
    """The temporal comparison a question asks for, or None when it asks for another kind."""
    q = question.lower()
    if _LIFESPAN.search(q):
        return TemporalComparison("lifespan", "max")
    earliest, latest = bool(_EARLIEST.search(q)), bool(_LATEST.search(q))
    if earliest == latest:
        return None
    pick: Literal["min", "max"] = "min" if earliest else "max"
    if _END_EVENT.search(q):
        return TemporalComparison("end", pick)
    if _START_EVENT.search(q):
        return TemporalComparison("start", pick)
    return None


def compare_by_year(
    question: str, options: Sequence[str], passages: Sequence[Passage]
) -> tuple[str, list[YearReading]] | None:
    """The option the years decide, with the readings behind it; None when the question is not a temporal
    comparison, an option's passage or year is missing, or the years tie."""
    comparison = temporal_comparison(question)
    if comparison is None or len(options) < 2:
        return None
    readings = []
    for option in options:
        passage = own_passage(option, passages)
        value = None if passage is None else _event_value(passage.text, comparison.event)
        if passage is None or value is None:
            return None
        readings.append(YearReading(option, passage.id, value))
    values = [r.value for r in readings]
    best = min(values) if comparison.pick == "min" else max(values)
    if values.count(best) > 1:
        return None
    return next(r.option for r in readings if r.value == best), readings


def own_passage(option: str, passages: Sequence[Passage]) -> Passage | None:
    """The passage about `option`: the one whose title (less a disambiguation such as "(band)") is closest
    to its words and holds at least half of them, the undisambiguated title first on a tie, else the
    first whose opening names it; passages that only mention it in passing do not count."""
    words = set(content_tokens(option))
    if not words:
        return None
    best: tuple[tuple[float, float], Passage] | None = None
    for passage in passages:
        title = set(content_tokens(_DISAMBIGUATION.sub("", passage.title)))
        if not title or len(words & title) * 2 < len(words):
            continue
        full = set(content_tokens(passage.title))
        closeness = (_jaccard(words, title), _jaccard(words, full))
        if best is None or closeness > best[0]:
            best = (closeness, passage)
    if best is not None:
        return best[1]
    low = option.lower()
    return next((p for p in passages if p.text.lower().startswith(low)), None)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b)


def _event_value(text: str, event: str) -> int | None:
    opening = _opening(text)
    lifespan = _lifespan(opening)
    if event == "lifespan":
        return lifespan[1] - lifespan[0] if lifespan else None
    if event == "end":
        if lifespan:
            return lifespan[1]
        died = _DIED.search(text)
        return int(died.group(1)) if died else None
    # A biography's opening "(born 1967)" or "(1914 – 1986)" first, then a year the text ties to a start
    # ("founded in 1993"), then the passage's first year ("is a 2005 American film").
    if "born" in opening or "b." in opening:
        born = _YEAR.search(opening)
        return int(born.group(1)) if born else None
    if lifespan:
        return lifespan[0]
    first = _STARTED.search(text) or _YEAR.search(text)
    return int(first.group(1)) if first else None


def _opening(text: str) -> str:
    """The first parentheses with a year near a passage's start ("" when there are none): the dates after
    a biography's name, past an empty or a pronunciation pair."""
    return next(
        (m.group(1) for m in _OPENING_PARENTHESES.finditer(text[:200]) if _YEAR.search(m.group(1))), ""
    )


def _lifespan(opening: str) -> tuple[int, int] | None:
    """(birth, death) from a biography's opening parentheses: two years on either side of a dash."""
    if not re.search(r"[–—-]", opening):
        return None
    years = [int(y) for y in _YEAR.findall(opening)]
    return (years[0], years[-1]) if len(years) >= 2 and years[-1] > years[0] else None
