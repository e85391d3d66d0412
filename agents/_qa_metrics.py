"""SQuAD-style answer metrics and supporting-paragraph recall for multi-hop QA.

exact_match("The Eiffel Tower", ["eiffel tower"])   # 1.0
token_f1("Paris, France", ["Paris"])                # 0.666…
supporting_recall(retrieved_ids, gold_ids)          # fraction of gold paragraphs retrieved
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable, Sequence

__all__ = ["exact_match", "normalize_answer", "supporting_recall", "token_f1"]

_ARTICLES = re.compile(r"\b(a|an|the)\b")
_PUNCT = set(string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD normalization: lowercase, drop punctuation and articles, collapse whitespace."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCT)
    return " ".join(_ARTICLES.sub(" ", text).split())


def _f1(prediction: str, gold: str) -> float:
    pred_tokens, gold_tokens = normalize_answer(prediction).split(), normalize_answer(gold).split()
    # The official HotpotQA script: yes/no/noanswer only score when matched exactly.
    specials = {"yes", "no", "noanswer"}
    if (
        " ".join(pred_tokens) in specials or " ".join(gold_tokens) in specials
    ) and pred_tokens != gold_tokens:
        return 0.0
    common = Counter(pred_tokens) & Counter(gold_tokens)
    overlap = sum(common.values())
    if overlap == 0:
        return 0.0
    precision, recall = overlap / len(pred_tokens), overlap / len(gold_tokens)
    return 2 * precision * recall / (precision + recall)


def exact_match(prediction: str | None, answers: Sequence[str]) -> float:
    """1.0 when the normalized prediction equals any normalized gold answer (alias), else 0.0."""
    if not prediction:
        return 0.0
    norm = normalize_answer(prediction)
    return float(any(norm == normalize_answer(a) for a in answers))


def token_f1(prediction: str | None, answers: Sequence[str]) -> float:
    """Token-level F1 after normalization, the maximum over the gold answers (aliases)."""
    if not prediction or not answers:
        return 0.0
    return max(_f1(prediction, a) for a in answers)


def supporting_recall(retrieved: Iterable[str], gold: Iterable[str]) -> float:
    """Fraction of gold supporting paragraph ids among `retrieved` (1.0 when there are no gold ids)."""
    gold_set = set(gold)
    if not gold_set:
        return 1.0
    return len(gold_set & set(retrieved)) / len(gold_set)
