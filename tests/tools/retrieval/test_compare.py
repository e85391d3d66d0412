from __future__ import annotations

import asyncio
import json

import pytest
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from pydantic_ai.messages import ModelMessage, ModelResponse
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph import traces
from goalgraph.tools.retrieval import (
    EngineConfig,
    HybridIndex,
    IndexConfig,
    Passage,
    RetrievalEngine,
    TemporalComparison,
    compare_by_year,
    temporal_comparison,
)
from goalgraph.tools.retrieval._compare import own_passage

# Invented people and bands: the years are only in these passages.
ADA = Passage.make("Ada Brill", "Ada Brill (born 4 May 1961) is a Welsh singer and songwriter.")
BEN = Passage.make(
    "Ben Corr", "Ben Corr is an Irish guitarist. He was born in 1950 in Cork and joined Vane in 1976."
)
CAL = Passage.make("Cal Dunn", "Cal Dunn (2 June 1890 – 7 July 1940) was a Scottish poet.")
DEE = Passage.make("Dee Ford (poet)", "Dee Ford (1901–1985) was an English poet and critic.")
VANE = Passage.make(
    "Vane (band)", "Vane (stylized as vane since 1995) is a folk band formed in Leeds in the early 1980s."
)
SOL = Passage.make("Sol Nine", "Sol Nine is a rock band from Perth that was founded in 1993 by two brothers.")
MENTION = Passage.make("Vane discography", "The 1999 album of Vane, with Ada Brill on two songs.")


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who was born first, Ada Brill or Ben Corr?", TemporalComparison("start", "min")),
        ("Which musician is older, Ada Brill or Ben Corr?", TemporalComparison("start", "min")),
        ("Which singer is younger, Ada Brill or Ben Corr?", TemporalComparison("start", "max")),
        ("Which band was formed first, Vane or Sol Nine?", TemporalComparison("start", "min")),
        ("Who passed away first, Cal Dunn or Dee Ford?", TemporalComparison("end", "min")),
        ("Which poet died later, Cal Dunn or Dee Ford?", TemporalComparison("end", "max")),
        ("Which author lived longer, Cal Dunn or Dee Ford?", TemporalComparison("lifespan", "max")),
        ("Which is bigger, Vane or Sol Nine?", None),
        ("Which singer is also a poet, Ada Brill or Cal Dunn?", None),
        ("Who was the first to sing, and who sang later?", None),
    ],
)
def test_the_comparison_a_question_asks(question: str, expected: TemporalComparison | None) -> None:
    assert temporal_comparison(question) == expected


def test_years_from_openings_prose_and_decades() -> None:
    passages = [MENTION, ADA, BEN, CAL, DEE, VANE, SOL]
    born = compare_by_year("Who was born first, Ada Brill or Ben Corr?", ["Ada Brill", "Ben Corr"], passages)
    # Ada's year is in her opening parentheses; Ben's in prose ("born in 1950"), not his band's 1976.
    assert born is not None and born[0] == "Ben Corr"
    assert {r.option: r.value for r in born[1]} == {"Ada Brill": 1961, "Ben Corr": 1950}
    assert born[1][0].passage_id == ADA.id  # her own passage, not the discography that mentions her
    formed = compare_by_year("Which band was formed first, Vane or Sol Nine?", ["Vane", "Sol Nine"], passages)
    # "since 1995" in Vane's parentheses is no birth; "formed … in the early 1980s" is its start.
    assert formed is not None and formed[0] == "Vane" and formed[1][0].value == 1980
    died = compare_by_year("Who passed away first, Cal Dunn or Dee Ford?", ["Cal Dunn", "Dee Ford"], passages)
    assert died is not None and died[0] == "Cal Dunn"
    lived = compare_by_year(
        "Which author lived longer, Cal Dunn or Dee Ford?", ["Cal Dunn", "Dee Ford"], passages
    )
    assert lived is not None and lived[0] == "Dee Ford" and [r.value for r in lived[1]] == [50, 84]


def test_missing_passages_years_and_ties_decide_nothing() -> None:
    question = "Who was born first, Ada Brill or Ben Corr?"
    assert compare_by_year(question, ["Ada Brill", "Ben Corr"], [ADA]) is None
    assert compare_by_year("Which is bigger, Vane or Sol Nine?", ["Vane", "Sol Nine"], [VANE, SOL]) is None
    twin = Passage.make("Ann Brill", "Ann Brill (born 4 May 1961) is a Welsh singer.")
    assert (
        compare_by_year("Who is older, Ada Brill or Ann Brill?", ["Ada Brill", "Ann Brill"], [ADA, twin])
        is None
    )
    no_year = Passage.make("Ben Corr", "Ben Corr is an Irish guitarist.")
    assert compare_by_year(question, ["Ada Brill", "Ben Corr"], [ADA, no_year]) is None
    assert own_passage("Ben Corr", [MENTION]) is None


def _never(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    raise AssertionError("a comparison the years decide must not reach the model")


def test_the_engine_decides_by_years_and_records_them() -> None:
    index = HybridIndex([ADA, BEN, CAL, DEE, VANE, SOL, MENTION], IndexConfig(dense=False))
    exporter = InMemorySpanExporter()
    traces.setup(path=None, processors=[SimpleSpanProcessor(exporter)])
    try:
        engine = RetrievalEngine(index, FunctionModel(_never))
        result = asyncio.run(engine.answer_from_passages("Who was born first, Ada Brill or Ben Corr?"))
    finally:
        traces.shutdown()
    assert result.answer == "Ben Corr" and set(result.used) == {ADA.id, BEN.id}
    span = next(s for s in exporter.get_finished_spans() if s.name == "compare_years")
    assert span.attributes is not None
    assert json.loads(str(span.attributes["output.value"]))["years"] == {"Ada Brill": 1961, "Ben Corr": 1950}
    # Switched off, the model reads it (here: the test model, which must then be asked).
    off = RetrievalEngine(index, FunctionModel(_never), EngineConfig(compare_years=False))
    with pytest.raises(AssertionError, match="must not reach the model"):
        asyncio.run(off.answer_from_passages("Who was born first, Ada Brill or Ben Corr?"))
