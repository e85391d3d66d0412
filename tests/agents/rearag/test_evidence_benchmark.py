"""`benchmarks/rearag_evidence.py`: the paired F1 difference, and the reader split into options, ranking, choice."""

from __future__ import annotations

from typing import Any

import pytest

from goalgraph.tools.retrieval import Passage

EVIDENCE = "benchmarks/rearag_evidence.py"
JAWS = [
    Passage.make("Jaws (film)", "Jaws is a 1975 film directed by Steven Spielberg. It stars Roy Scheider."),
    Passage.make("Roy Scheider", "Roy Scheider was an American actor born in Orange, New Jersey."),
]


def test_choice_scores_best_top_and_chosen_option(script: Any) -> None:
    choice = script(EVIDENCE)._Choice()
    question = "Who directed the film Jaws?"
    # The model took the top-ranked option and it is the gold answer.
    choice.add(question, JAWS, "Steven Spielberg", ["Steven Spielberg"])
    # Same read, but the model chose another option: the ceiling stays, the choice scores nothing.
    choice.add(question, JAWS, "Roy Scheider", ["Steven Spielberg"])
    # Gold answer never offered: even a perfect chooser scores nothing.
    choice.add(question, JAWS, "Roy Scheider", ["Martin Scorsese"])
    summary = choice.summary()
    assert summary["best_option"] == pytest.approx(2 / 3)
    assert summary["top_option"] == pytest.approx(2 / 3)
    assert summary["chosen"] == pytest.approx(1 / 3)
    assert summary["chose_top"] == pytest.approx(1 / 3)


def test_choice_of_nothing_read_is_zero(script: Any) -> None:
    choice = script(EVIDENCE)._Choice()
    choice.add("Who directed the film Jaws?", [], "", ["Steven Spielberg"])
    assert choice.summary() == {"best_option": 0.0, "top_option": 0.0, "chosen": 0.0, "chose_top": 0.0}


def test_paired_difference_counts_and_interval(script: Any) -> None:
    paired = script(EVIDENCE).paired_difference
    even = paired([0.5, 0.0, 0.0, -0.5])
    assert even["f1_difference"] == 0.0
    assert (even["wins"], even["losses"]) == (1, 1)
    low, high = even["ci95"]
    assert -0.5 <= low < 0.0 < high <= 0.5
    constant = paired([0.2] * 10)
    assert constant["ci95"] == pytest.approx([0.2, 0.2])
    assert (constant["wins"], constant["losses"]) == (10, 0)
    assert paired([]) == {"f1_difference": 0.0, "ci95": [0.0, 0.0], "wins": 0, "losses": 0}
