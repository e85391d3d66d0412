"""Answer candidates from passages: spans of the expected type, ranked by how well their sentence matches.

A 135M model cannot be trusted to copy an answer out of 500 tokens of context, but it can pick among
a few spans (the one it finds most likely, or one it generates under a constraint to them). These deterministic rules (answer type from the
question word, sentence overlap with the question, no answer that merely repeats the question) are the
classic extractive-QA heuristics; they know nothing about any particular data set.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ._data import Passage

__all__ = ["Candidate", "answer_kind", "choice_options", "content_tokens", "extract_candidates"]

_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "from",
        "by",
        "with",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "has",
        "have",
        "had",
        "do",
        "does",
        "did",
        "what",
        "which",
        "who",
        "whom",
        "whose",
        "when",
        "where",
        "why",
        "how",
        "that",
        "this",
        "these",
        "those",
        "it",
        "its",
        "his",
        "her",
        "their",
        "he",
        "she",
        "they",
        "them",
        "as",
        "into",
        "than",
        "then",
        "there",
        "also",
        "not",
        "no",
        "yes",
        "film",
        "song",
        "album",
        "series",
        "first",
        "one",
        "many",
        "much",
        "name",
        "named",
        "called",
        "known",
        "after",
        "before",
        "during",
        "about",
        "between",
        "both",
        "same",
        "either",
        "more",
        "most",
    ]
)
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(
    rf"\b(?:(?:{_MONTHS})\s+\d{{1,2}},?\s+\d{{4}}|\d{{1,2}}\s+(?:{_MONTHS})\s+\d{{4}}|(?:{_MONTHS})\s+\d{{4}}|1\d{{3}}|20\d{{2}})\b"
)
_NUMBER = re.compile(r"\b\d[\d,]*(?:\.\d+)?(?:\s+(?:million|billion|thousand|hundred|percent|%))?")
_NUMBER_WORDS = re.compile(
    r"\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|hundred)\b", re.I
)
_QUOTED = re.compile(r"\"([^\"]{2,60})\"")
_CONNECT = frozenset({"of", "the", "de", "von", "van", "da", "del", "la", "le", "du", "der"})
_WORD = re.compile(r"[A-Za-z0-9À-ÿ][\w'’.\-À-ÿ]*")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")
_CALENDAR = frozenset(
    [*_MONTHS.split("|"), "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
)
_LONE_CAPS = frozenset(
    {
        "The",
        "A",
        "An",
        "He",
        "She",
        "It",
        "They",
        "His",
        "Her",
        "Its",
        "Their",
        "In",
        "On",
        "At",
        "As",
        "After",
        "Before",
        "This",
        "These",
        "Those",
        "That",
        "There",
        "When",
        "While",
        "During",
        "Although",
        "However",
        "From",
        "For",
        "By",
        "With",
        "Since",
        "Following",
        "According",
        "Born",
        "Between",
        "Some",
        "Many",
        "Most",
        "Both",
    }
)


def content_tokens(text: str) -> list[str]:
    """Lowercased word tokens minus stopwords (the words that carry a query's meaning)."""
    return [t for t in (w.lower().strip(".'’") for w in _WORD.findall(text)) if t and t not in _STOP]


def answer_kind(question: str) -> str:
    """The expected answer type: ``yesno``, ``date``, ``number``, ``choice``, ``entity``."""
    q = question.strip().lower()
    first = q.split(" ", 1)[0] if q else ""
    if choice_options(question):
        return "choice"
    if first in {
        "is",
        "are",
        "was",
        "were",
        "do",
        "does",
        "did",
        "can",
        "could",
        "has",
        "have",
        "had",
        "will",
    }:
        return "yesno"
    if q.startswith(("when", "what year", "in what year", "which year", "what date", "in which year")):
        return "date"
    if q.startswith(("how many", "how much", "how old", "how long", "how tall", "how far", "how big")):
        return "number"
    return "entity"


_WH_LEAD = re.compile(
    r"^(?:Which|What|Who|Whom|Whose|Where|When|Was|Were|Is|Are|Did|Does|Do|Has|Have)(?:\s+[a-z][\w'-]*)*\s+"
)
_TRAILING_CLAUSE = re.compile(
    r"(?:(?:,\s*|\s+)(?:was|were|is|are|has|have|had|did|does|do)\b.*|(?:\s+[a-z][\w'-]*)+)$"
)


def choice_options(question: str) -> list[str]:
    """The alternatives of an ``X or Y`` question (e.g. "Who was born first, A or B?"), else []."""
    q = question.strip().rstrip("?")
    if " or " not in q:
        return []
    head, _, tail = q.rpartition(" or ")
    left = re.split(r"[,:]\s*|\b(?:between|is|was|are|were|the)\s+", head)[-1].strip()
    # "Which band X or Y was formed first", "Was X or Y born first": the question word and its
    # lowercase words lead the first option, and the predicate trails the second.
    left = _WH_LEAD.sub("", left)
    right = _TRAILING_CLAUSE.sub("", re.sub(r"^(?:the|a|an)\s+", "", tail.strip(), flags=re.I)).strip()
    if not left or not right or len(left.split()) > 8 or len(right.split()) > 8:
        return []
    # Both sides must look like names, or the "or" is part of the question's wording.
    if not (left[:1].isupper() or left[:1] in "\"'") or not (right[:1].isupper() or right[:1] in "\"'"):
        return []
    return [left.strip("\"' "), right.strip("\"' ")]


@dataclass(frozen=True)
class Candidate:
    """One answer candidate: the span, its score, and the passage it came from."""

    text: str
    """The answer span."""
    score: float
    """Higher is better."""
    passage_id: str
    """Id of the passage holding its best-scoring sentence."""


def _capitalized_spans(sentence: str) -> list[str]:
    words = _WORD.findall(sentence)
    spans: list[list[str]] = []
    current: list[str] = []
    for i, word in enumerate(words):
        capital = word[:1].isupper() and word.strip(".,") not in _CALENDAR
        if capital or (
            current and word.lower() in _CONNECT and i + 1 < len(words) and words[i + 1][:1].isupper()
        ):
            current.append(word)
        else:
            if current:
                spans.append(current)
            current = []
    if current:
        spans.append(current)
    out = []
    for span in spans:
        while span and span[0] in _LONE_CAPS:
            span = span[1:]
        text = " ".join(span).strip(".,;:'’")
        if text and text not in _LONE_CAPS:
            out.append(text)
    return out


def _spans(sentence: str, kind: str) -> list[tuple[str, bool]]:
    """(span, matches the expected type) pairs found in a sentence."""
    dates = [m.group(0) for m in _DATE.finditer(sentence)]
    numbers = [m.group(0).rstrip(",") for m in _NUMBER.finditer(sentence)] + _NUMBER_WORDS.findall(sentence)
    names = _capitalized_spans(sentence) + _QUOTED.findall(sentence)
    if kind == "date":
        return [(d, True) for d in dates] + [(n, False) for n in names]
    if kind == "number":
        return [(n, True) for n in numbers if not _DATE.fullmatch(n)] + [(d, False) for d in dates]
    return [(n, True) for n in names] + [(d, False) for d in dates]


def extract_candidates(question: str, passages: Sequence[Passage], limit: int = 8) -> list[Candidate]:
    """Up to `limit` answer candidates from `passages` (given best first), best first.

    Yes/no questions get ``yes``/``no``; ``X or Y`` questions get their alternatives.
    """
    kind = answer_kind(question)
    if kind == "yesno":
        return [
            Candidate("yes", 1.0, passages[0].id if passages else ""),
            Candidate("no", 0.9, passages[0].id if passages else ""),
        ]
    if kind == "choice":
        options = choice_options(question)
        return [Candidate(o, 1.0 - 0.1 * i, _holder(o, passages)) for i, o in enumerate(options)]
    q_tokens = set(content_tokens(question))
    best: dict[str, Candidate] = {}
    for rank, passage in enumerate(passages):
        title_tokens = set(content_tokens(passage.title))
        for sentence in _SENTENCE.split(passage.text):
            s_tokens = set(content_tokens(sentence)) | title_tokens
            overlap = len(q_tokens & s_tokens) / (len(q_tokens) or 1)
            words = [w.lower().strip(".'’,") for w in _WORD.findall(sentence)]
            anchors = [i for i, w in enumerate(words) if w in q_tokens]
            for span, typed in _spans(sentence, kind):
                span_tokens = set(content_tokens(span))
                if not span_tokens:
                    continue
                # An answer is new information: spans mostly made of question words are penalized.
                echo = len(span_tokens & q_tokens) / len(span_tokens)
                score = overlap + (0.5 if typed else 0.0) - 1.0 * echo + 0.3 / (1 + rank)
                score += 0.4 * _proximity(span, words, anchors) + _shape(span)
                key = span.lower()
                if key not in best or best[key].score < score:
                    best[key] = Candidate(span, round(score, 4), passage.id)
    return sorted(best.values(), key=lambda c: (-c.score, c.text))[:limit]


_DEMONYM = re.compile(r"^[A-Z][a-z]+(?:-born|-based|ian|ese|ish|ican|ean)$")


def _shape(span: str) -> float:
    """Prior on the span's form: multi-word names over lone adjectives such as nationalities."""
    words = span.split()
    if len(words) == 1 and _DEMONYM.match(span):
        return -0.3
    return 0.1 * min(len(words) - 1, 2)


def _proximity(span: str, words: Sequence[str], anchors: Sequence[int]) -> float:
    """1 when the span sits right next to a question word in its sentence, falling with distance."""
    head = span.split(" ", 1)[0].lower().strip(".'’,\"")
    positions = [i for i, w in enumerate(words) if w == head]
    if not positions or not anchors:
        return 0.0
    distance = min(abs(p - a) for p in positions for a in anchors)
    return 1.0 / (1.0 + distance / 3.0)


def _holder(option: str, passages: Sequence[Passage]) -> str:
    low = option.lower()
    for passage in passages:
        if low in passage.title.lower() or low in passage.text.lower():
            return passage.id
    return passages[0].id if passages else ""
