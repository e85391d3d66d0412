"""Deterministic temporal reasoning over located events, chosen by the question's shape.

r = reason(question_text, fmt, UtteranceIndex(utterances))   # Reasoned(answer, sessions, tool) or None
Shapes: "Fact1 ... Fact2 ..., which one happened earlier", "Duration 1: Between A and B ...", numbered facts
to sort, "How much time passed from A until B", "When did ...", "Which ... time expressions are mentioned".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from goalgraph.tools.temporal import parse_window

from ._answer import facts_of, options_of
from ._events import Utterance, UtteranceIndex, event_day, event_time

__all__ = ["Reasoned", "answer_choices", "format_moment", "localization_candidates", "reason"]


@dataclass(frozen=True)
class Reasoned:
    """A deterministic answer, the sessions it rests on, and the tool that produced it."""

    answer: str
    sessions: tuple[str, ...]
    tool: str


_FACTS = re.compile(
    r"Fact\s*1:\s*(?P<a>.+?)\s+and\s+Fact\s*2:\s*(?P<b>.+?),?\s+which one happened (?P<dir>earlier|first|later)",
    re.I | re.S,
)
_DURATIONS = re.compile(
    r"Duration\s*1:\**\s*Between\s+(?P<a>.+?)\s*\**\s*Duration\s*2:\**\s*Between\s+(?P<b>.+?)\s*(?:\n|$)",
    re.I | re.S,
)
_SPAN_QUESTION = re.compile(
    r"\b(?:how much time|how long|duration|time interval|time elapsed)\b.*?\b(?:from|between)\s+"
    r"(?:the time\s+)?(?P<body>.+?)\s*(?:\?|\(|$)",
    re.I | re.S,
)
_WHEN = re.compile(r"^\s*(?:when|what time|at what time|on what (?:date|day))\b", re.I)
_SPLIT = re.compile(r"\s+(?:until|to|and)\s+", re.I)
_EXPRESSIONS = re.compile(r"time expressions? (?:are |is )?mentioned", re.I)


def format_moment(u: Utterance) -> str:
    """The benchmark's time format: '10:45:41 pm, January 15, 2024', or 'January 12, 2024' for a named day."""
    day = event_day(u)
    if day is not None and day.start is not None and day.start.date() != u.time.date():
        return f"{day.start:%B} {day.start.day}, {day.start.year}"
    t = u.time
    clock = f"{t.hour % 12 or 12}:{t:%M}" + (f":{t:%S}" if t.second else "")
    return f"{clock} {'am' if t.hour < 12 else 'pm'}, {t:%B} {t.day}, {t.year}"


def _letter(question: str, pattern: str) -> str | None:
    for letter, text in sorted(options_of(question).items()):
        if re.search(pattern, text, re.I):
            return letter
    return None


def _split_pair(
    body: str, index: UtteranceIndex
) -> tuple[tuple[Utterance, float], tuple[Utterance, float]] | None:
    """Split "A until B" / "A and B" where both halves locate best (the split that maximises the weaker match)."""
    best: tuple[float, tuple[Utterance, float], tuple[Utterance, float]] | None = None
    for m in _SPLIT.finditer(body):
        left, right = body[: m.start()].strip(" .,"), body[m.end() :].strip(" .,")
        a, b = index.locate(left), index.locate(right)
        if a is None or b is None:
            continue
        weaker = min(a[1], b[1])
        if best is None or weaker > best[0]:
            best = (weaker, a, b)
    return None if best is None else (best[1], best[2])


def _order_compare(question: str, index: UtteranceIndex) -> Reasoned | None:
    m = _FACTS.search(question)
    if not m:
        return None
    a, b = index.locate(m["a"]), index.locate(m["b"])
    if a is None or b is None:
        return None
    ta, tb = event_time(a[0]), event_time(b[0])
    later = m["dir"].lower() == "later"
    if ta == tb:
        letter = _letter(question, r"same|similar|simultaneous")
    else:
        first_is_a = (ta < tb) != later
        letter = _letter(question, r"fact\s*1" if first_is_a else r"fact\s*2")
    sessions = tuple(dict.fromkeys([a[0].session_id, b[0].session_id]))
    return Reasoned(letter, sessions, "order_compare") if letter else None


def _duration(body: str, index: UtteranceIndex) -> tuple[timedelta, tuple[str, ...]] | None:
    pair = _split_pair(body.strip(" .*"), index)
    if pair is None:
        return None
    (ua, _), (ub, _) = pair
    return abs(event_time(ub) - event_time(ua)), (ua.session_id, ub.session_id)


def _duration_compare(question: str, index: UtteranceIndex) -> Reasoned | None:
    m = _DURATIONS.search(question)
    if not m:
        return None
    d1, d2 = _duration(m["a"], index), _duration(m["b"], index)
    if d1 is None or d2 is None:
        return None
    if abs(d1[0] - d2[0]) < timedelta(minutes=1):
        letter = _letter(question, r"same|similar|approximately")
    else:
        letter = _letter(question, r"duration\s*1" if d1[0] > d2[0] else r"duration\s*2")
    sessions = tuple(dict.fromkeys(d1[1] + d2[1]))
    return Reasoned(letter, sessions, "duration_compare") if letter else None


def _timeline(question: str, index: UtteranceIndex) -> Reasoned | None:
    facts = facts_of(question)
    if not facts:
        return None
    keyed: list[tuple[datetime, int, int]] = []
    sessions: list[str] = []
    position = {id(u): i for i, u in enumerate(index.utterances)}
    for n, text in facts.items():
        hit = index.locate(text)
        if hit is None:
            keyed.append((datetime.max, len(position), n))  # unlocated facts go last, in their own order
            continue
        keyed.append((event_time(hit[0]), position[id(hit[0])], n))
        sessions.append(hit[0].session_id)
    order = "".join(f"({n})" for _, _, n in sorted(keyed))
    return Reasoned(order, tuple(dict.fromkeys(sessions)), "timeline")


def _span_text(later: datetime, earlier: datetime) -> str:
    delta = relativedelta(later, earlier)
    parts = [
        (delta.years, "year"),
        (delta.months, "month"),
        (delta.days, "day"),
        (delta.hours, "hour"),
        (delta.minutes, "minute"),
        (delta.seconds, "second"),
    ]
    words = [f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n]
    return " ".join(words) or "0 days"


def _computation(question: str, index: UtteranceIndex) -> Reasoned | None:
    m = _SPAN_QUESTION.search(question.splitlines()[0] if question else "")
    if not m:
        return None
    pair = _split_pair(m["body"], index)
    if pair is None:
        return None
    ta, tb = event_time(pair[0][0]), event_time(pair[1][0])
    text = _span_text(max(ta, tb), min(ta, tb))
    return Reasoned(text, tuple(dict.fromkeys([pair[0][0].session_id, pair[1][0].session_id])), "computation")


def localization_candidates(question: str, index: UtteranceIndex, k: int = 5) -> list[tuple[str, str]]:
    """(answer text, session id) for the ``k`` utterances that best match a "When did ..." question."""
    out: list[tuple[str, str]] = []
    for u, _ in index.ranked(question.splitlines()[0], k * 2):
        text = format_moment(u)
        if text not in (t for t, _ in out):
            out.append((text, u.session_id))
        if len(out) == k:
            break
    return out


def answer_choices(question: str, fmt: str, index: UtteranceIndex) -> list[str]:
    """Candidate answers for the model to pick from: times of matching utterances for "When did ..." questions."""
    first = question.splitlines()[0] if question else ""
    if fmt != "text" or not _WHEN.search(question) or _SPAN_QUESTION.search(first):
        return []
    return [text for text, _ in localization_candidates(question, index)]


def _extract(question: str, index: UtteranceIndex) -> Reasoned | None:
    """Options that are dates an utterance names, directly or through a relative phrase ("yesterday")."""
    if not _EXPRESSIONS.search(question):
        return None
    named: dict[str, set[str]] = {}
    for u in index.utterances:
        day = event_day(u)
        if day is not None and day.start is not None:
            named.setdefault(day.start.date().isoformat(), set()).add(u.session_id)
    picked, sessions = [], []
    for letter, text in sorted(options_of(question).items()):
        w = parse_window(f"on {text}")
        if w.start is None or w.end is None or w.end - w.start > timedelta(days=1):
            continue  # a bare year or a month is not a day an utterance can name this way
        hit = named.get(w.start.date().isoformat())
        if hit:
            picked.append(letter)
            sessions.extend(sorted(hit))
    return Reasoned(" ".join(picked), tuple(dict.fromkeys(sessions)), "extract") if picked else None


def reason(question: str, fmt: str, index: UtteranceIndex) -> Reasoned | None:
    """The deterministic answer for the question's shape, or None when no reasoner applies or finds evidence."""
    if not index.utterances:
        return None
    if fmt == "order":
        return _timeline(question, index)
    if fmt == "multi":
        return _extract(question, index)
    if fmt == "choice":
        return _order_compare(question, index) or _duration_compare(question, index)
    if fmt == "text":
        found = _computation(question, index)
        if found is None and _WHEN.search(question):
            top = localization_candidates(question, index, 1)
            found = Reasoned(top[0][0], (top[0][1],), "localization") if top else None
        return found
    return None
