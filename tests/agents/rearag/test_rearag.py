"""ReaRAG loop: chains, the short-answer step, and the defined outcome of every failure."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph.agents._rearag_steps import gathered_evidence
from goalgraph.agents.rearag import ReaRAGConfig, build_rearag, run_rearag
from goalgraph.tools.retrieval import HybridIndex, IndexConfig, Passage, RetrievalEngine

CORPUS = [
    Passage.make(
        "The Age of Reason", "The Age of Reason is a work by English-born political activist Thomas Paine."
    ),
    Passage.make(
        "Thomas Paine", "Thomas Paine was born in Thetford, a market town in Norfolk, England, in 1737."
    ),
    Passage.make("Thetford", "Thetford is a market town in the Breckland district of Norfolk."),
    Passage.make("Common Sense", "Common Sense is a pamphlet written by Thomas Paine in 1775 and 1776."),
]
QUESTION = "Where was the author of The Age of Reason born?"


def _prompt(messages: list[ModelMessage]) -> str:
    return str(messages[-1].parts[-1].content)  # type: ignore[union-attr]


def scripted(steps: list[dict[str, Any]], log: list[str] | None = None) -> FunctionModel:
    """A model that emits `steps` in order for Step requests and the first option for answer requests."""
    queue = list(steps)

    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        tool = info.output_tools[0]
        props = tool.parameters_json_schema["properties"]
        if log is not None:
            log.append(_prompt(messages))
        if "thought" in props:
            args = (
                queue.pop(0)
                if queue
                else {"thought": "again", "action": {"function": "search", "query": "x"}}
            )
        else:
            answer = props["answer"]["enum"]
            args = {"answer": answer[0]}
            if "source" in props:
                args["source"] = 1
        return ModelResponse(parts=[ToolCallPart(tool.name, args)])

    return FunctionModel(reply)


def search(query: str, thought: str = "look it up") -> dict[str, Any]:
    return {"thought": thought, "action": {"function": "search", "query": query}}


def finish(answer: str) -> dict[str, Any]:
    return {"thought": "done", "action": {"function": "finish", "answer": answer}}


def engine(model: Any = None, index: Any = None) -> RetrievalEngine:
    return RetrievalEngine(
        index if index is not None else HybridIndex(CORPUS, IndexConfig(dense=False)), model=model
    )


# The loop's mechanics are tested on the model's own steps and options; the question seed and the
# reading of the gathered evidence have their own tests.
UNSEEDED = ReaRAGConfig(seed_search=False, answer_from_evidence=False)


def run(model: FunctionModel, eng: RetrievalEngine | None = None, config: ReaRAGConfig = UNSEEDED) -> Any:
    graph = build_rearag(model, eng or engine(), config=config)
    return asyncio.run(run_rearag(graph, QUESTION))


def test_two_hop_chain_finishes_with_short_answer() -> None:
    log: list[str] = []
    model = scripted(
        [search("author of The Age of Reason"), search("Thomas Paine born"), finish("Thetford")], log
    )
    final = run(model, engine())
    assert final["status"] == "finished"
    assert final["answer"] == "Thetford"
    kinds = [s["action"]["function"] for s in final["chain"]]
    assert kinds == ["search", "search", "finish"]
    assert final["chain"][0]["answer"] == "Thomas Paine"
    # The second step's prompt shows the first observation.
    assert any("Observation 1: Thomas Paine" in p for p in log)


def test_seed_search_opens_the_chain_with_the_question() -> None:
    log: list[str] = []
    model = scripted([search("Thomas Paine born"), finish("Thetford")], log)
    final = run(model, config=ReaRAGConfig(answer_from_evidence=False))
    first = final["chain"][0]
    assert first["seed"] is True and first["action"]["query"] == QUESTION
    # The model's first step already reads the seed's observation.
    assert "Observation 1:" in log[0] and "Write step 2." in log[0]
    assert [s["action"]["function"] for s in final["chain"]] == ["search", "search", "finish"]
    assert final["answer"] == "Thetford"


def test_seeded_chain_still_needs_a_search_of_the_model() -> None:
    # Right after the seed only a search is allowed: a finish there is an invalid step, never accepted.
    final = run(scripted([finish("x"), finish("x"), finish("x")]), config=ReaRAGConfig())
    assert final["status"] == "invalid_action"
    assert final["chain"][0]["seed"] is True
    assert all(s["action"]["function"] == "search" for s in final["chain"])


def test_sentence_finish_answer_puts_the_observation_it_names_first() -> None:
    steps = [
        search("author of The Age of Reason"),
        search("Thomas Paine born"),
        finish("It was Thomas Paine who wrote it."),
    ]
    final = run(scripted(steps))
    assert final["chain"][0]["answer"] == "Thomas Paine" and final["chain"][1]["answer"] != "Thomas Paine"
    # The scripted model picks the first option: the observation the finish sentence names, not the latest.
    assert final["answer"] == "Thomas Paine"


def test_gathered_evidence_puts_observed_passages_first_and_keeps_the_limit() -> None:
    a, b, c, d = CORPUS
    chain = [
        {"used": [b.model_dump()], "passages": [a.model_dump(), c.model_dump()]},
        {"used": [d.model_dump(), b.model_dump()], "passages": [a.model_dump()]},
        {"action": {"function": "finish"}},
    ]
    assert [p.passage.id for p in gathered_evidence(chain, 3)] == [b.id, d.id, a.id]
    assert [p.rank for p in gathered_evidence(chain, 9)] == [0, 1, 2, 3]


def test_open_question_answer_is_read_from_the_chain_evidence() -> None:
    eng = engine()
    steps = [search("author of The Age of Reason"), search("Thomas Paine born"), finish("Common Sense")]
    final = run(scripted(steps), eng, ReaRAGConfig(seed_search=False))
    expected = asyncio.run(eng.read(QUESTION, gathered_evidence(final["chain"], eng.config.k))).answer
    assert expected and final["answer"] == expected


def test_closed_question_answer_is_read_from_the_chain_evidence_too() -> None:
    franklin = Passage.make(
        "Benjamin Franklin", "Benjamin Franklin (January 17, 1706 – April 17, 1790) was an American polymath."
    )
    eng = engine(index=HybridIndex([*CORPUS, franklin], IndexConfig(dense=False)))
    question = "Who was born first, Thomas Paine or Benjamin Franklin?"
    steps = [search("Thomas Paine born"), search("Benjamin Franklin born"), finish("Thomas Paine")]
    graph = build_rearag(scripted(steps), eng, config=ReaRAGConfig(seed_search=False))
    final = asyncio.run(run_rearag(graph, question))
    # The finish answer (and the scripted short-answer choice) name Paine; the gathered passages'
    # years (1737, 1706) decide, as they would for one-shot RAG.
    assert final["answer"] == "Benjamin Franklin"
    old = build_rearag(
        scripted(steps), eng, config=ReaRAGConfig(seed_search=False, answer_from_evidence=False)
    )
    assert asyncio.run(run_rearag(old, question))["answer"] == "Thomas Paine"


def test_unreadable_evidence_falls_back_to_the_chain_options() -> None:
    class FailingRead(RetrievalEngine):
        calls = 0

        async def read(self, query: str, passages: Any) -> Any:
            # The chain's searches read normally; the final evidence read (the third call) fails.
            FailingRead.calls += 1
            if FailingRead.calls > 2:
                raise RuntimeError("reader down")
            return await super().read(query, passages)

    eng = FailingRead(HybridIndex(CORPUS, IndexConfig(dense=False)))
    steps = [search("author of The Age of Reason"), search("Thomas Paine born"), finish("Thetford")]
    final = run(scripted(steps), eng, ReaRAGConfig(seed_search=False, new_passages_only=False))
    assert FailingRead.calls == 3
    assert final["status"] == "finished" and final["answer"] == "Thetford"


def test_invalid_actions_get_feedback_then_stop() -> None:
    log: list[str] = []
    # The first step's grammar allows only a search: a finish there is rejected; three in a row stop the run.
    final = run(scripted([finish("x"), finish("x"), finish("x")], log))
    assert final["status"] == "invalid_action"
    assert final["answer"] == ""
    assert any("Feedback: Your last reply was not a valid step" in p for p in log)


def test_ungrounded_query_is_invalid() -> None:
    log: list[str] = []
    steps = [search("the one fact you need next"), search("Age of Reason author"), finish("Thomas Paine")]
    final = run(scripted(steps, log))
    assert any("names nothing from the question" in p for p in log)
    assert final["chain"][0]["action"]["query"] == "Age of Reason author"
    assert final["answer"] == "Thomas Paine"


def test_stale_search_allows_only_finish() -> None:
    log: list[str] = []
    steps = [search("author of The Age of Reason"), search("The Age of Reason"), finish("Thomas Paine")]
    final = run(
        scripted(steps, log),
        config=ReaRAGConfig(
            seed_search=False, answer_from_evidence=False, expand_queries=False, new_passages_only=False
        ),
    )
    assert final["chain"][1]["stale"] is True
    assert [s["action"]["function"] for s in final["chain"]] == ["search", "search", "finish"]


def test_repeated_query_converges_to_finish() -> None:
    log: list[str] = []
    steps = [search("author of The Age of Reason"), search("author of The Age of Reason"), finish("Thetford")]
    model = scripted(steps, log)
    final = run(
        model, config=ReaRAGConfig(seed_search=False, answer_from_evidence=False, expand_queries=False)
    )
    assert final["status"] == "finished"
    assert [s["action"]["function"] for s in final["chain"]] == ["search", "finish"]
    assert final["converged"] is True


def test_repeated_query_runs_one_bridge_hop_then_converges() -> None:
    # The expansion appends the last observation, so the searched queries differ; the model's own do not.
    q = "author of The Age of Reason"
    final = run(scripted([search(q), search(q), search(q), finish("Thetford")]), config=UNSEEDED)
    kinds = [s["action"]["function"] for s in final["chain"]]
    assert kinds == ["search", "search", "finish"]
    # The repeat ran once, as a bridge hop on the first observation's answer.
    assert final["chain"][1]["action"]["query"] == f"{q} Thomas Paine"
    assert final["converged"] is True
    assert final["answer"] == "Thetford"


def test_repeated_query_without_bridge_repeats_converges_at_once() -> None:
    q = "author of The Age of Reason"
    final = run(
        scripted([search(q), search(q), finish("Thetford")]),
        config=ReaRAGConfig(seed_search=False, answer_from_evidence=False, bridge_repeats=0),
    )
    assert [s["action"]["function"] for s in final["chain"]] == ["search", "finish"]
    assert final["converged"] is True


def test_retry_after_invalid_step_samples_with_a_seed() -> None:
    settings: list[dict[str, Any]] = []
    queue = [search("the one fact you need next"), search("Age of Reason author"), finish("Thomas Paine")]

    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        tool = info.output_tools[0]
        props = tool.parameters_json_schema["properties"]
        if "thought" in props:
            settings.append(dict(info.model_settings or {}))
            return ModelResponse(parts=[ToolCallPart(tool.name, queue.pop(0))])
        args: dict[str, Any] = {"answer": props["answer"]["enum"][0]}
        if "source" in props:
            args["source"] = 1
        return ModelResponse(parts=[ToolCallPart(tool.name, args)])

    run(FunctionModel(reply))
    assert settings[0]["temperature"] == 0.0 and "seed" not in settings[0]
    assert settings[1]["temperature"] == ReaRAGConfig().retry_temperature and settings[1]["seed"] == 1
    assert settings[2]["temperature"] == 0.0


def test_chain_limit_forces_the_short_answer() -> None:
    # Every search finds something new, so only the chain limit can stop the run.
    corpus = [
        Passage.make(f"Company {n}", f"Company {n} was founded by Founder{n} Person.") for n in range(10)
    ]
    steps = [search(f"Company {n}") for n in range(10)]
    final = run(
        scripted(steps),
        engine(index=HybridIndex(corpus, IndexConfig(dense=False))),
        config=ReaRAGConfig(
            seed_search=False,
            max_steps=3,
            expand_queries=False,
            ground_queries=False,
            contextual_search=False,
        ),
    )
    assert final["status"] == "max_steps"
    assert len(final["chain"]) == 3
    assert isinstance(final["answer"], str) and final["answer"]


def test_empty_retrieval_is_an_observation() -> None:
    empty = engine(index=HybridIndex([], IndexConfig(dense=False)))
    final = run(
        scripted([search("anything at all"), finish("unknown")]),
        empty,
        ReaRAGConfig(seed_search=False, ground_queries=False),
    )
    assert final["chain"][0]["observation"] == "No passages found."
    assert final["status"] == "finished"


class Broken:
    def search(self, query: str, k: int) -> list[Any]:
        raise ConnectionError("index offline")


def test_engine_exception_ends_in_engine_error() -> None:
    final = run(
        scripted([search("a"), search("b"), search("c")]),
        engine(index=Broken()),
        config=ReaRAGConfig(
            seed_search=False, answer_from_evidence=False, expand_queries=False, ground_queries=False
        ),
    )
    assert final["status"] == "engine_error"
    assert [s.get("error") for s in final["chain"]] == ["ConnectionError: index offline"] * 2
    assert final["answer"] == ""


def test_model_failure_is_an_invalid_action() -> None:
    def broken(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        raise RuntimeError("server down")

    final = run(FunctionModel(broken))
    assert final["status"] == "invalid_action"
    assert final["chain"] == []


def test_query_expansion_adds_previous_answer() -> None:
    final = run(scripted([search("author of The Age of Reason"), search("born"), finish("Thetford")]))
    assert final["chain"][1]["action"]["query"] == "born Thomas Paine"
    assert final["chain"][1]["observation"]


@pytest.mark.parametrize("make", [lambda: scripted([search("q1")])])
def test_checkpointer_keeps_state(make: Callable[[], FunctionModel]) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    saver = InMemorySaver()
    graph = build_rearag(
        scripted([search("author of The Age of Reason"), finish("Thetford")]), engine(), checkpointer=saver
    )
    final = asyncio.run(run_rearag(graph, QUESTION, thread_id="t1"))
    snapshot = graph.get_state({"configurable": {"thread_id": "t1"}})
    assert snapshot.values["answer"] == final["answer"]


def test_each_search_brings_new_passages() -> None:
    final = run(
        scripted([search("author of The Age of Reason"), search("Thomas Paine born"), finish("Thetford")])
    )
    first, second = (set(s["retrieved"]) for s in final["chain"][:2])
    assert first and second and not first & second


def test_free_text_finish_names_a_yes_no_option() -> None:
    from goalgraph.agents._rearag_steps import _named_option

    assert _named_option("Yes, both are vocalists, no doubt", ["yes", "no"]) == "yes"
    assert _named_option("It is the Bulldog.", ["Basset Bleu de Gascogne", "Bulldog"]) == "Bulldog"
    assert _named_option("maybe", ["yes", "no"]) is None


def test_search_history_shows_the_query_the_model_wrote() -> None:
    log: list[str] = []
    final = run(scripted([search("author of The Age of Reason"), search("born"), finish("Thetford")], log))
    assert final["chain"][1]["action"]["query"] == "born Thomas Paine"  # what ran
    assert final["chain"][1]["asked"] == "born"  # what the model wrote, and what it reads back
    assert any('"query": "born"}' in p for p in log)
