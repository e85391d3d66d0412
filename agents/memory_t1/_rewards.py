"""Memory-T1 rewards: 0.6 answer accuracy + 0.2 evidence grounding + 0.2 temporal consistency; -1 unparseable.

Re-implemented from the rules of the paper's reward code (v7, "acc 0.6 / tc 0.2 / format 0.2"), for
scoring and for RL training. One deliberate deviation: the reference code's localization branch indexes a
float and always falls to its -0.5 error value; here localization gets the graded date-distance score it
computes (documented in docs/agents/memory_t1.md).
"""

from __future__ import annotations

import itertools
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from dateutil import parser as dateutil_parser

__all__ = [
    "EventTime",
    "RewardContext",
    "SessionRecord",
    "accuracy_reward",
    "benchmark_exact_match",
    "grounding_reward",
    "memory_t1_reward",
    "session_time_reward",
    "temporal_consistency",
    "text_match",
]

# Unknown window bounds default to these dates, as in the reference reward.
_DEFAULT_START, _DEFAULT_END = date(2020, 1, 1), date(2025, 8, 1)
_UNITS_IN_DAYS = {
    "year": 365.0,
    "month": 30.0,
    "day": 1.0,
    "hour": 1 / 24,
    "minute": 1 / 1440,
    "second": 1 / 86400,
}
_STOP = {
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "in",
    "on",
    "at",
    "to",
    "for",
    "of",
    "with",
    "by",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
}


@dataclass(frozen=True)
class EventTime:
    """An event mentioned in an utterance: its summary and (start, end) ISO times or 'unknown'."""

    summary: str
    start: str = "unknown"
    end: str = "unknown"


@dataclass(frozen=True)
class SessionRecord:
    """A session as the reward sees it: id, session time, and the events of its utterances."""

    session_id: str
    time: str
    events: tuple[EventTime, ...] = ()


@dataclass(frozen=True)
class RewardContext:
    """What the reward needs besides the model output: task, gold answer/sessions, window, question."""

    task: str
    gold_answer: str
    gold_sessions: frozenset[str] = frozenset()
    window: tuple[str | None, str | None] = (None, None)
    question: str = ""
    sessions: tuple[SessionRecord, ...] = field(default_factory=tuple)


def _day(value: str | date | None, *, start: bool) -> date:
    if isinstance(value, date):
        return value
    if value is None or str(value).lower() == "unknown":
        return _DEFAULT_START if start else _DEFAULT_END
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        return _DEFAULT_START if start else _DEFAULT_END


def _to_days(text: str) -> float:
    found = re.findall(r"(\d+)\s+(year|month|day|hour|minute|second)s?", text.lower())
    return sum(int(n) * _UNITS_IN_DAYS[u] for n, u in found)


def _norm_date(text: str) -> date | None:
    for fmt in ("%Y-%m-%d", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%m/%d/%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    try:  # free forms such as "10:45:41 pm, January 15, 2024"
        return dateutil_parser.parse(text, default=datetime(2000, 1, 1)).date()
    except (ValueError, OverflowError):
        return None


def accuracy_reward(pred: str, gold: str, task: str) -> float:
    """Answer score by task: durations within a day (Computation), positional order (Timeline),
    graded date distance (Localization), exact option set otherwise."""
    pred, gold, task = str(pred).strip(), str(gold).strip(), task.lower()
    if task == "computation":
        p_toks, g_toks = pred.split(), gold.split()
        p_exprs = [" ".join(p_toks[i : i + 2]) for i in range(0, len(p_toks), 2)]
        g_exprs = [" ".join(g_toks[i : i + 2]) for i in range(0, len(g_toks), 2)]
        unmatched = list(range(len(g_exprs)))
        tp = 0
        for p in p_exprs:
            hit = next((g for g in unmatched if abs(_to_days(p) - _to_days(g_exprs[g])) <= 1.0), None)
            if hit is not None:
                unmatched.remove(hit)
                tp += 1
        return 1.0 if tp == len(g_exprs) == len(p_exprs) else 0.0
    if task == "timeline":
        p_items = pred[1:-1].split(")(") if pred.startswith("(") and pred.endswith(")") else []
        g_items = gold[1:-1].split(")(") if gold.startswith("(") and gold.endswith(")") else []
        if not p_items:
            return -0.5  # the reference divides by zero here and returns its error value
        return sum(p == g for p, g in zip(p_items, g_items, strict=False)) / len(p_items)
    if task == "localization":
        p_day, g_day = _norm_date(pred), _norm_date(gold)
        if p_day is None or g_day is None:
            return 1.0 if pred == gold else 0.0
        delta = abs((p_day - g_day).days)
        if delta == 0:
            return 1.0
        if delta <= 7:
            return max(0.5, 1.0 - 0.1 * delta)
        return max(0.1, 0.5 - 0.02 * (delta - 7)) if delta <= 30 else 0.0
    return 1.0 if _options(pred) == _options(gold) else 0.0


def _options(answer: str) -> set[str]:
    return set(answer.replace(")(", ") (").split())


_CHOICE = re.compile(r"^[A-Z](?=[.)\s]|$)")


def _benchmark_date(text: str) -> str:
    """The benchmark scorer's date normalisation: a few fixed formats to YYYY-MM-DD, else the text itself."""
    if "T" in text:
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).strftime("%Y-%m-%d")
        except ValueError:
            return text
    for fmt in ("%B %d, %Y", "%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%Y/%m/%d", "%b %d, %Y", "%d %B %Y"):
        try:
            return datetime.strptime(text, fmt).strftime("%Y-%m-%d")
        except ValueError:
            continue
    return text


def benchmark_exact_match(pred: str, gold: str, task: str) -> float:
    """Time-Dialog's exact match: leading option letter, date normalisation, equal answer token sets.

    Two deviations, both where the scorer's rule defeats its purpose: an order answer ("(1)(3)(2)") must
    match as a sequence (the scorer compares the sets of fact numbers, which every permutation matches), and
    a multi-letter answer ("A C") keeps all its letters (the scorer keeps only the first).
    """
    pred, gold = str(pred).strip(), str(gold).strip()
    m = _CHOICE.match(pred)
    pred = m.group() if m and not pred.startswith("(") and len(pred.split()) == 1 else pred
    if task.lower() == "timeline" or (pred.startswith("(") and gold.startswith("(")):
        return 1.0 if pred.replace(" ", "") == gold.replace(" ", "") else 0.0
    return 1.0 if _options(_benchmark_date(pred)) == _options(_benchmark_date(gold)) else 0.0


def grounding_reward(selected: set[str], gold: set[str]) -> float:
    """1 when the selected sessions equal the gold evidence, 0.5 when they overlap, -1 otherwise."""
    if selected == gold:
        return 1.0
    return 0.5 if selected & gold else -1.0


def session_time_reward(session_day: date, start: date, end: date) -> float:
    """1 inside the window; outside, a sigmoid of the distance relative to the window length, in [-0.5, 1]."""
    if start <= session_day <= end:
        return 1.0
    length = max((end - start).days, 1)
    distance = (start - session_day).days if session_day < start else (session_day - end).days
    try:
        value = 1.5 / (1 + math.exp(0.5 * distance / length)) - 0.5
    except OverflowError:
        value = -0.5
    return max(min(value, 1.0), -0.5)


def text_match(short: str, long: str) -> float:
    """Content-word overlap of ``short`` with ``long`` plus bonuses for contiguity and early position, ≤ 1."""
    words = lambda t: [w for w in re.findall(r"\w+", t.lower()) if w not in _STOP and len(w) > 2]  # noqa: E731
    s_words, l_words = words(short), words(long)
    if not s_words:
        return 0.0
    s_set = set(s_words)
    overlap = len(s_set & set(l_words)) / len(s_set)
    bonus = 0.0
    positions = [i for i, w in enumerate(l_words) if w in s_set]
    if overlap > 0 and positions:
        run = best = 1
        for a, b in itertools.pairwise(positions):
            run = run + 1 if b == a + 1 else 1
            best = max(best, run)
        if len(positions) > 1:
            bonus += min(0.3, best / len(s_words) * 0.3)
        bonus += (1 - sum(positions) / len(positions) / len(l_words)) * 0.2
    return min(1.0, overlap + bonus)


def _relation(start: date, end: date, e_start: date, e_end: date) -> float:
    """1 if the window contains the event, 0.5 if they overlap, -1 if disjoint or either is inverted."""
    if start > end or e_start > e_end:
        return -1.0
    if start <= e_start and end >= e_end:
        return 1.0
    return -1.0 if end < e_start or start > e_end else 0.5


def temporal_consistency(selected: list[str], ctx: RewardContext) -> float:
    """Mean over selected sessions of (session-level time reward + utterance-level event density) / 2."""
    if not selected:
        return 0.0
    start, end = _day(ctx.window[0], start=True), _day(ctx.window[1], start=False)
    by_id = {s.session_id: s for s in ctx.sessions}
    total = 0.0
    for sid in selected:
        session = by_id.get(sid)
        if session is None:
            continue
        level = session_time_reward(_day(session.time, start=True), start, end)
        scores = []
        for ev in session.events:
            if ev.start == "unknown" and ev.end == "unknown":
                continue
            sim = text_match(ev.summary, ctx.question)
            if sim >= 0.2:
                scores.append(
                    sim * _relation(start, end, _day(ev.start, start=True), _day(ev.end, start=False))
                )
        density = sum(scores) / len(scores) if scores else 0.0
        total += (level + density) / 2
    return total / len(selected)


def _parse_output(text: str) -> dict[str, Any] | None:
    body = text.strip()
    fenced = re.search(r"^```(?:json)?\s*\n(.*?)\n```$", body, re.S)
    if fenced:
        body = fenced.group(1).strip()
    elif body.startswith("```"):  # an unterminated or one-line fence: drop the fence line and any closer
        newline = body.find("\n")
        body = body[newline + 1 :].strip() if newline != -1 else body[3:].strip()
        body = body[:-3].strip() if body.endswith("```") else body
    try:
        value = json.loads(body)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


def memory_t1_reward(output: str, ctx: RewardContext) -> float:
    """The full reward in [-1, 1] for a raw model output string (JSON with `answer`, `selected_memory`)."""
    parsed = _parse_output(output)
    if parsed is None:
        return -1.0
    answer = parsed.get("answer")
    acc = accuracy_reward("" if answer is None else str(answer), ctx.gold_answer, ctx.task)
    selected = []
    for item in parsed.get("selected_memory", []) or []:
        m = re.search(r"(session_\d+)", str(item))
        if m:
            selected.append(m.group(1))
    grounding = grounding_reward(set(selected), set(ctx.gold_sessions))
    return 0.6 * acc + 0.2 * grounding + 0.2 * temporal_consistency(selected, ctx)
