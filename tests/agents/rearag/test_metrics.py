"""SQuAD-normalized EM / F1 and supporting-paragraph recall against hand-computed values."""

from __future__ import annotations

import pytest

from goalgraph.agents._qa_metrics import exact_match, normalize_answer, supporting_recall, token_f1


def test_normalization() -> None:
    assert normalize_answer("The  Eiffel-Tower!") == "eiffeltower"
    assert normalize_answer("An apple, a pear") == "apple pear"


def test_exact_match_over_aliases() -> None:
    assert exact_match("the Beatles", ["Beatles", "The Fab Four"]) == 1.0
    assert exact_match("Beatles band", ["Beatles"]) == 0.0
    assert exact_match(None, ["x"]) == 0.0


def test_f1_hand_computed() -> None:
    # prediction "paris france" vs gold "paris": precision 1/2, recall 1 -> 2/3
    assert token_f1("Paris, France", ["Paris"]) == pytest.approx(2 / 3)
    # max over aliases
    assert token_f1("New York City", ["NYC", "New York"]) == pytest.approx(0.8)
    assert token_f1("yes", ["no"]) == 0.0 and token_f1("yes", ["yes"]) == 1.0
    assert token_f1("", ["a"]) == 0.0


def test_supporting_recall() -> None:
    assert supporting_recall(["a", "b", "c"], ["a", "d"]) == 0.5
    assert supporting_recall([], ["a"]) == 0.0
    assert supporting_recall(["a"], []) == 1.0
