"""Event times from memory: find the stored utterance that describes an event, and date the event.

u, score = UtteranceIndex(utterances).locate("Amy hiked Mount Adams")   # best match (BM25)
when = event_time(u)        # the day the utterance's own words name ("yesterday", "last Friday"), else its time
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from langgraph.store.base import BaseStore

from goalgraph.tools.temporal import TimeWindow, parse_window

__all__ = ["Utterance", "UtteranceIndex", "bm25_scores", "event_day", "event_time", "utterances_of"]

# An utterance "names a day" when its own words resolve to a window this short (a day, a weekend).
_DAY_LIKE = timedelta(days=3)


@dataclass(frozen=True)
class Utterance:
    """One stored utterance: its session, position in the session, time and text."""

    session_id: str
    index: int
    time: datetime
    text: str


def bm25_scores(corpus: list[str], query: str) -> list[float]:
    """BM25 score of ``query`` against each text of ``corpus`` (bm25s, English stopwords removed)."""
    import bm25s

    if not corpus:
        return []
    retriever = bm25s.BM25()
    retriever.index(bm25s.tokenize(corpus, stopwords="en", show_progress=False), show_progress=False)
    tokens = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)[0]
    if not tokens:
        return [0.0] * len(corpus)
    return [float(x) for x in retriever.get_scores(tokens)]


def _naive(t: datetime) -> datetime:
    return t.replace(tzinfo=None) if t.tzinfo else t


def utterances_of(
    store: BaseStore, namespace: tuple[str, ...], session_ids: tuple[str, ...]
) -> list[Utterance]:
    """The utterances ingested under ``namespace`` for ``session_ids``, in time order."""
    wanted = set(session_ids)
    out = []
    for item in store.search((*namespace, "utterances"), limit=1_000_000):
        value: dict[str, Any] = item.value
        sid = str(value.get("session_id", ""))
        if sid not in wanted:
            continue
        index = int(value.get("index", str(item.key).rsplit(":", 1)[-1] or 0))
        out.append(
            Utterance(sid, index, _naive(datetime.fromisoformat(value["time"])), str(value.get("text", "")))
        )
    order = {sid: i for i, sid in enumerate(session_ids)}
    return sorted(out, key=lambda u: (u.time, order.get(u.session_id, 0), u.index))


class UtteranceIndex:
    """A BM25 index over one question's evidence utterances, built once and queried per event."""

    def __init__(self, utterances: list[Utterance]) -> None:
        import bm25s

        self.utterances = utterances
        self._retriever: Any = None
        if utterances:
            self._retriever = bm25s.BM25()
            corpus = bm25s.tokenize([u.text for u in utterances], stopwords="en", show_progress=False)
            self._retriever.index(corpus, show_progress=False)

    def scores(self, query: str) -> list[float]:
        """BM25 score of ``query`` against each utterance (zeros when the query has no content words)."""
        import bm25s

        if self._retriever is None:
            return []
        tokens = bm25s.tokenize([query], stopwords="en", return_ids=False, show_progress=False)[0]
        if not tokens:
            return [0.0] * len(self.utterances)
        return [float(x) for x in self._retriever.get_scores(tokens)]

    def ranked(self, query: str, k: int) -> list[tuple[Utterance, float]]:
        """The ``k`` best-matching utterances with positive scores, best first."""
        scores = self.scores(query)
        order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
        return [(self.utterances[i], scores[i]) for i in order[:k] if scores[i] > 0]

    def locate(self, description: str) -> tuple[Utterance, float] | None:
        """The utterance that best matches ``description`` and its score; None when nothing matches."""
        top = self.ranked(description, 1)
        return top[0] if top else None


def event_day(u: Utterance) -> TimeWindow | None:
    """The short window (a day, a weekend) the utterance's own words date its event to, if any."""
    w = parse_window(u.text, asked_at=u.time, complete_years=False)  # "on July 10" may be a plan
    if w.start is None or w.start > u.time:
        return None
    if w.end is None:  # an open end is "today"/"tonight" (kept) or "since 2019" (not a day)
        return w if u.time - w.start <= timedelta(days=1) else None
    return w if w.end - w.start <= _DAY_LIKE else None


def event_time(u: Utterance) -> datetime:
    """When the event an utterance tells of happened: the start of the day it names, else when it was said."""
    w = event_day(u)
    return w.start if w is not None and w.start is not None else u.time
