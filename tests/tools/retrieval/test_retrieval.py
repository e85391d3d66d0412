"""Retrieval engine: data loading, samples, the hybrid index, candidate extraction, the engine and its tools."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph.tools.retrieval import (
    EngineConfig,
    HybridIndex,
    IndexConfig,
    Passage,
    RetrievalEngine,
    answer_kind,
    choice_options,
    extract_candidates,
    hop_ordered_sample,
    load_multihop,
    pooled_passages,
    retrieval_tools,
    stratified_sample,
)

CORPUS = [
    Passage.make(
        "The Age of Reason", "The Age of Reason is a work by English-born political activist Thomas Paine."
    ),
    Passage.make(
        "Thomas Paine", "Thomas Paine was born in Thetford, a market town in Norfolk, England, in 1737."
    ),
    Passage.make("Thetford", "Thetford is a market town in the Breckland district of Norfolk."),
    Passage.make("Common Sense", "Common Sense is a pamphlet written by Thomas Paine in 1775 and 1776."),
    Passage.make("Guitar", "The guitar is a fretted musical instrument that usually has six strings."),
]


@pytest.fixture(scope="module")
def questions(shared_data: Path) -> list:
    return load_multihop(shared_data / "multihop" / "questions.jsonl")


def test_load_shared_data(questions: list) -> None:
    assert len(questions) > 300
    assert {q.dataset for q in questions} == {"hotpotqa", "musique"}
    for q in questions:
        assert set(q.supporting) <= {p.id for p in q.passages} and q.supporting
    assert max(q.hops for q in questions) == 4
    assert len(pooled_passages(questions)) < sum(len(q.passages) for q in questions)


def test_bad_data_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text(
        json.dumps({"id": "1", "dataset": "x", "question": "q", "answers": ["a"], "paragraphs": []})
        + "\n{oops\n"
    )
    with pytest.raises(ValueError, match=r"q.jsonl:2: not JSON"):
        load_multihop(bad)
    bad.write_text(json.dumps({"id": "1", "dataset": "x", "answers": ["a"], "paragraphs": []}) + "\n")
    with pytest.raises(ValueError, match=r"q.jsonl:1: missing field 'question'"):
        load_multihop(bad)
    with pytest.raises(FileNotFoundError):
        load_multihop(tmp_path / "none.jsonl")


def test_samples_are_deterministic_and_stratified(questions: list) -> None:
    sample = stratified_sample(questions, 100)
    assert [q.id for q in sample] == [q.id for q in stratified_sample(questions, 100)]
    assert sum(q.dataset == "musique" for q in sample) == 50
    assert {q.dataset for q in sample[:2]} == {"hotpotqa", "musique"}  # interleaved
    musique = sum(q.dataset == "musique" for q in questions)
    assert sum(q.dataset == "musique" for q in stratified_sample(questions, 2 * musique + 20)) == musique
    ordered = hop_ordered_sample(questions, 60)
    hops = [q.hops for q in ordered if q.dataset == "musique"]
    assert hops == sorted(hops, reverse=True) and min(hops) == 3
    assert ordered[-1].dataset == "hotpotqa"


def test_bm25_index_and_subset() -> None:
    index = HybridIndex(CORPUS, IndexConfig(dense=False))
    hits = index.search("where was Thomas Paine born", 2)
    assert hits[0].passage.title == "Thomas Paine" and [h.rank for h in hits] == [0, 1]
    assert index.search("", 3) == [] and index.search("zzzz", 3) == []
    sub = index.subset([CORPUS[2].id, CORPUS[4].id])
    assert len(sub) == 2 and [h.passage.title for h in sub.search("market town in Norfolk", 5)] == [
        "Thetford"
    ]


def test_dense_retrieval_finds_a_paraphrase() -> None:
    index = HybridIndex(CORPUS)  # real all-MiniLM-L6-v2 + FAISS
    hits = index.search("stringed instrument with frets", 1)
    assert hits[0].passage.title == "Guitar"
    sub = index.subset([p.id for p in CORPUS[3:]])
    assert sub.search("stringed instrument with frets", 1)[0].passage.title == "Guitar"


def test_answer_kinds_and_candidates() -> None:
    assert answer_kind("When was Thomas Paine born?") == "date"
    assert answer_kind("How many strings does a guitar have?") == "number"
    assert answer_kind("Is Thetford in Norfolk?") == "yesno"
    assert choice_options("Which dog is native to France, the Basset Bleu de Gascogne or the Bulldog?") == [
        "Basset Bleu de Gascogne",
        "Bulldog",
    ]
    # The question word before the first option, a colon, and a predicate after the second.
    assert choice_options("Which band The Quiet Lanterns or Harbor 12 was formed first ?") == [
        "The Quiet Lanterns",
        "Harbor 12",
    ]
    assert choice_options("Who died first Anna Berg or Tomas Lind ?") == ["Anna Berg", "Tomas Lind"]
    assert choice_options("Which river is longer: Orvo or Talla?") == ["Orvo", "Talla"]
    assert choice_options("Which mall, North Gate Mall or Eastpark Centre, has had more owners?") == [
        "North Gate Mall",
        "Eastpark Centre",
    ]
    assert choice_options("Was Ida Moss or Leo Hart born first?") == ["Ida Moss", "Leo Hart"]
    assert choice_options("Is Lakeview College or Hill University further west?") == [
        "Lakeview College",
        "Hill University",
    ]
    assert choice_options("Is it true that tea or coffee is older?") == []
    assert extract_candidates("In what year was Thomas Paine born?", CORPUS[1:2])[0].text == "1737"
    who = extract_candidates("Who wrote The Age of Reason?", CORPUS[:1])
    assert who[0].text == "Thomas Paine"
    assert [c.text for c in extract_candidates("Is Thetford in Norfolk?", CORPUS)] == ["yes", "no"]


def _pick_second(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    tool = info.output_tools[0]
    options = tool.parameters_json_schema["properties"]["answer"]["enum"]
    return ModelResponse(parts=[ToolCallPart(tool.name, {"answer": options[1], "source": 1})])


def test_engine_answers_from_passages() -> None:
    index = HybridIndex(CORPUS, IndexConfig(dense=False))
    extractive = RetrievalEngine(index)
    result = asyncio.run(extractive.answer_from_passages("Where was Thomas Paine born?"))
    assert result.answer == "Thetford" and result.used[0] == CORPUS[1].id
    assert result.observation().startswith("Thetford (from Thomas Paine")
    # With a model, the answer is the model's choice among the options (constrained by the schema).
    llm = RetrievalEngine(index, model=FunctionModel(_pick_second))
    chosen = asyncio.run(llm.answer_from_passages("Where was Thomas Paine born?"))
    assert chosen.answer == chosen.options[1]
    empty = asyncio.run(RetrievalEngine(HybridIndex([], IndexConfig(dense=False))).answer_from_passages("x"))
    assert empty.answer == "" and empty.observation() == "No passages found."


def test_the_local_model_reads_by_likelihood_or_by_choice() -> None:
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from goalgraph import traces
    from goalgraph.llm import model

    index = HybridIndex(CORPUS, IndexConfig(dense=False))
    local = model("local")
    exporter = InMemorySpanExporter()
    traces.setup(path=None, processors=[SimpleSpanProcessor(exporter)])
    try:
        scored = asyncio.run(
            RetrievalEngine(index, local).answer_from_passages("Where was Thomas Paine born?")
        )
    finally:
        traces.shutdown()
    span = next(s for s in exporter.get_finished_spans() if s.name == "score_options")
    assert span.attributes is not None and span.attributes["openinference.span.kind"] == "LLM"
    # Every option scored (log-probability per token); the answer is the most likely one.
    means = json.loads(str(span.attributes["output.value"]))
    assert list(means) == scored.options and len(scored.options) > 1
    assert scored.answer == max(means, key=means.__getitem__)
    holder = next(p.passage for p in scored.passages if p.passage.id == scored.used[0])
    assert scored.answer in f"{holder.title} {holder.text}"
    chosen = asyncio.run(
        RetrievalEngine(index, local, EngineConfig(reader="choice")).answer_from_passages(
            "Where was Thomas Paine born?"
        )
    )
    assert chosen.answer in chosen.options and chosen.options == scored.options


def test_contextual_retrieval_fuses_the_question() -> None:
    engine = RetrievalEngine(HybridIndex(CORPUS, IndexConfig(dense=False)))
    plain = [h.passage.title for h in engine.retrieve("1737", 2)]
    fused = [h.passage.title for h in engine.retrieve("1737", 2, context="Common Sense pamphlet")]
    assert plain == ["Thomas Paine"] and "Common Sense" in fused


def test_typed_tools() -> None:
    search, answer = retrieval_tools(RetrievalEngine(HybridIndex(CORPUS, IndexConfig(dense=False))))
    hits = search.call({"query": "Thetford market town", "k": 2})
    assert hits.hits[0].passage.title in {"Thetford", "Thomas Paine"}
    assert answer.call({"query": "Where was Thomas Paine born?"}).answer == "Thetford"
    from goalgraph.tools import ToolInputError

    with pytest.raises(ToolInputError):
        search.call({"query": ""})
