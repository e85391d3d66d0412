"""Stage 1: the LLM's typed fallback fills slots only from the question's own values."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from goalgraph.agents.memory_t1._window import estimate_window_text, guess_type
from goalgraph.llm import scripted


def test_slot_schema_offers_only_written_values() -> None:
    schema = guess_type("What was the third trip John took in May 2022?").model_json_schema()
    props = schema["properties"]
    allowed = lambda p: [x.get("const", x.get("enum")) for x in p["anyOf"] if x.get("type") != "null"]  # noqa: E731
    assert allowed(props["year"]) == [2022] and allowed(props["month"]) == [5]
    assert "periods_ago" not in props and "day" not in props
    relative = guess_type("Where did Ann go last week?").model_json_schema()["properties"]
    assert set(relative) == {"unit", "periods_ago"}


def test_fallback_runs_only_when_the_parser_finds_nothing() -> None:
    model = scripted([{"year": 2022, "unit": "year"}])
    w = asyncio.run(estimate_window_text("What was the third trip John took in 2022?", None, model))
    assert (w.start, w.end, w.source) == (datetime(2022, 1, 1), datetime(2022, 12, 31, 23, 59, 59), "llm")
    # the parser's answer stands without asking the model (a scripted model with no replies would fail)
    w = asyncio.run(estimate_window_text("What did Ann do in May 2022?", None, scripted([])))
    assert w.source == "month"
    # no time cue: the model is not asked
    w = asyncio.run(estimate_window_text("Which durations are longer?", None, scripted([])))
    assert w.is_open


def test_relative_guess_is_anchored_and_cut_at_the_moment_of_asking() -> None:
    model = scripted([{"unit": "week", "periods_ago": 0}])
    asked = datetime(2023, 10, 18, 12)
    w = asyncio.run(estimate_window_text("What is Ann planning this week?", asked, model))
    assert (w.start, w.end) == (datetime(2023, 10, 16), None)  # the week runs past the moment: open end
    # without the moment of asking and without a written year or month, the model is not asked
    w = asyncio.run(estimate_window_text("What is Ann planning this week?", None, scripted([])))
    assert w.is_open


def test_unusable_model_output_leaves_the_window_open() -> None:
    bad = scripted([{"unit": "year", "year": 1999}] * 4)  # not a value the schema allows
    w = asyncio.run(estimate_window_text("What was the third trip John took in 2022?", None, bad))
    assert w.is_open and w.source == "none"


@pytest.mark.slow
def test_embedded_model_reads_a_bare_year() -> None:
    from goalgraph.llm import model

    w = asyncio.run(
        estimate_window_text(
            "What was the second charity event John organized in 2022?", None, model("local")
        )
    )
    assert (w.start, w.end) == (datetime(2022, 1, 1), datetime(2022, 12, 31, 23, 59, 59))
    assert w.source == "llm"
