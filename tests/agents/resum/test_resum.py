"""ReSum loop: the summary trigger, the restart message, chained summaries, budgets, the ReAct baseline."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph.agents.resum import (
    ReSumConfig,
    Summary,
    build_react,
    build_resum,
    render_context,
    run_resum,
)
from goalgraph.tools.retrieval import HybridIndex, IndexConfig, Passage, RetrievalEngine

CORPUS = [
    Passage.make(
        "The Age of Reason",
        "The Age of Reason is a work by English-born political activist Thomas Paine. "
        "It was published in three parts in 1794, 1795 and 1807.",
    ),
    Passage.make(
        "Thomas Paine",
        "Thomas Paine was born in Thetford, a market town in Norfolk, England, in 1737. "
        "He emigrated to the British American colonies in 1774.",
    ),
    Passage.make("Thetford", "Thetford is a market town in the Breckland district of Norfolk, England."),
    Passage.make("Common Sense", "Common Sense is a pamphlet written by Thomas Paine in 1775 and 1776."),
]
QUESTION = "Where was the author of The Age of Reason born?"
QUERIES = [
    ["author of The Age of Reason"],
    ["Thomas Paine born"],
    ["Thetford Norfolk"],
    ["Common Sense Thomas Paine"],
]


def words(text: str) -> int:
    """The scripted model's tokenizer: one token per whitespace-separated word."""
    return len(text.split())


class Script:
    """Agent: cycles through searches, never answers. Summarizer: numbered facts. Records every prompt."""

    def __init__(self) -> None:
        self.agent_prompts: list[str] = []
        self.summary_prompts: list[str] = []
        self.turn = 0

    def agent(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        tool = info.output_tools[0]
        props = tool.parameters_json_schema["properties"]
        prompt = str(messages[-1].parts[-1].content)  # type: ignore[union-attr]
        if "facts" in props:
            return self.summary(messages, info)
        if "thought" not in props:
            return ModelResponse(parts=[ToolCallPart(tool.name, {"answer": props["answer"]["enum"][0]})])
        self.agent_prompts.append(prompt)
        queries = QUERIES[self.turn % len(QUERIES)]
        self.turn += 1
        return ModelResponse(
            parts=[
                ToolCallPart(
                    tool.name, {"thought": "search more", "action": {"tool": "search", "queries": queries}}
                )
            ]
        )

    def summary(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        prompt = str(messages[-1].parts[-1].content)  # type: ignore[union-attr]
        self.summary_prompts.append(prompt)
        n = len(self.summary_prompts)
        args = {"facts": [f"fact-{n} Thomas Paine wrote it"], "gaps": [f"gap-{n}"], "next": [f"next-{n}"]}
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, args)])


def engine() -> RetrievalEngine:
    return RetrievalEngine(HybridIndex(CORPUS, IndexConfig(dense=False)))


def run(graph: Any) -> Any:
    return asyncio.run(run_resum(graph, QUESTION))


CONFIG = ReSumConfig(
    budget=260,
    protocol_tokens=0,
    step_tokens=20,
    summary_tokens=30,
    answer_tokens=10,
    max_rounds=8,
    hits_per_query=2,
)


def test_trigger_fires_at_threshold_and_peak_stays_in_budget() -> None:
    script = Script()
    final = run(build_resum(FunctionModel(script.agent), engine(), count_tokens=words, config=CONFIG))
    steps = [e for e in final["trajectory"] if e["kind"] == "step"]
    summaries = [e for e in final["trajectory"] if e["kind"] == "summary"]
    assert summaries, "no summary was made"
    assert all(e["tokens"] < CONFIG.threshold * CONFIG.budget for e in steps)
    # Each summary comes right after the context crossed the threshold: the context that triggered it
    # is at or over 90% of the budget, the step before it was still under.
    events = final["trajectory"]
    for i, event in enumerate(events):
        if event["kind"] == "summary":
            assert events[i - 1]["kind"] == "tool"
            assert event["trigger_tokens"] >= CONFIG.threshold * CONFIG.budget
            assert (
                events[i - 2]["kind"] == "step" and events[i - 2]["tokens"] < CONFIG.threshold * CONFIG.budget
            )
    assert final["peak_tokens"] <= CONFIG.budget
    assert final["overflows"] == 0
    assert final["status"] == "max_rounds"


def test_restart_message_holds_question_and_summary() -> None:
    script = Script()
    final = run(build_resum(FunctionModel(script.agent), engine(), count_tokens=words, config=CONFIG))
    first = final["summaries"][0]
    restart = next(p for p in script.agent_prompts if "fact-1" in p)
    assert restart.startswith(f"Question: {QUESTION}\nSummary of the work so far:\n{first}")
    assert "Result" not in restart  # nothing from before the summary but the summary itself
    assert render_context(QUESTION, first, []) in restart


def test_summaries_chain() -> None:
    script = Script()
    final = run(build_resum(FunctionModel(script.agent), engine(), count_tokens=words, config=CONFIG))
    assert len(final["summaries"]) >= 2
    assert "fact-1" in script.summary_prompts[1]  # the second summary is asked with the first in view
    second = next(
        e for e in final["trajectory"] if e["kind"] == "summary" and e["summary"] == final["summaries"][1]
    )
    assert second["previous"] == final["summaries"][0]


def test_summarize_every_n_rounds_and_separate_summarizer() -> None:
    agent, summarizer = Script(), Script()
    config = ReSumConfig(
        budget=5000, protocol_tokens=0, summarize_every=2, max_rounds=5, step_tokens=20, summary_tokens=30
    )
    final = run(
        build_resum(
            FunctionModel(agent.agent),
            engine(),
            count_tokens=words,
            config=config,
            summarizer=FunctionModel(summarizer.summary),
        )
    )
    rounds_at_summary = [e["round"] for e in final["trajectory"] if e["kind"] == "summary"]
    assert rounds_at_summary == [2, 4]
    assert len(summarizer.summary_prompts) == 2 and not agent.summary_prompts


def test_react_baseline_overflows_and_truncates() -> None:
    script = Script()
    final = run(build_react(FunctionModel(script.agent), engine(), count_tokens=words, config=CONFIG))
    assert final["summaries"] == []
    assert final["overflows"] == 1
    assert final["status"] == "overflow"
    assert final["peak_tokens"] > CONFIG.budget
    assert final["answer"]  # it still answers, from a truncated context


def test_restart_too_large_forces_answer() -> None:
    script = Script()
    tiny = ReSumConfig(budget=60, protocol_tokens=0, step_tokens=20, summary_tokens=10, answer_tokens=5)
    final = run(build_resum(FunctionModel(script.agent), engine(), count_tokens=words, config=tiny))
    assert final["status"] == "budget"
    assert script.agent_prompts == []


def test_ungrounded_answer_is_refused_with_feedback() -> None:
    calls = {"n": 0}

    def agent(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        tool = info.output_tools[0]
        props = tool.parameters_json_schema["properties"]
        if "thought" not in props:
            return ModelResponse(parts=[ToolCallPart(tool.name, {"answer": props["answer"]["enum"][0]})])
        calls["n"] += 1
        if calls["n"] in (1, 3):
            assert "AnswerAction" not in str(
                tool.parameters_json_schema
            )  # no answer before a result / after a refusal
            action = {"tool": "search", "queries": ["Thomas Paine born"]}
        elif calls["n"] == 2:
            action = {"tool": "answer", "answer": "Paris"}
        else:
            action = {"tool": "answer", "answer": "Thetford"}
        return ModelResponse(parts=[ToolCallPart(tool.name, {"thought": "t", "action": action})])

    final = run(build_resum(FunctionModel(agent), engine(), count_tokens=words, config=CONFIG))
    kinds = [e["kind"] for e in final["trajectory"]]
    assert kinds == ["step", "tool", "step", "invalid", "step", "tool", "step", "answer"]
    assert final["answer"] == "Thetford" and final["status"] == "answered"


def test_first_step_grammar_offers_only_search() -> None:
    from goalgraph.agents._resum_types import step_model

    schema = step_model([], can_answer=False).model_json_schema()
    assert set(schema["$defs"]) == {"SearchAction"}
    schema = step_model(["Thetford"], can_answer=True).model_json_schema()
    assert set(schema["$defs"]) == {"SearchAction", "Visit", "AnswerAction"}
    assert schema["$defs"]["Visit"]["properties"]["doc"]["const"] == "Thetford"


def test_visit_extracts_the_evidence_the_model_picks() -> None:
    page = Passage.make(
        "Thomas Paine",
        "Thomas Paine was an English-born American political activist. He wrote Common Sense. "
        "He was born in Thetford, Norfolk, in 1737. He died in New York City in 1809. "
        "He worked as an excise officer in Lewes.",
    )
    shown: list[str] = []
    calls = {"n": 0}

    def agent(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        tool = info.output_tools[0]
        props = tool.parameters_json_schema["properties"]
        if "sentences" in props:
            shown.append(str(messages[-1].parts[-1].content))  # type: ignore[union-attr]
            # The extractor's numbers refer to the shortlist shown to it: pick "[3] He was born in ...".
            return ModelResponse(parts=[ToolCallPart(tool.name, {"sentences": [3]})])
        if "thought" not in props:
            return ModelResponse(parts=[ToolCallPart(tool.name, {"answer": props["answer"]["enum"][0]})])
        calls["n"] += 1
        action: dict[str, Any] = (
            {"tool": "search", "queries": ["Thomas Paine"]}
            if calls["n"] == 1
            else {"tool": "visit", "doc": "Thomas Paine", "goal": "where he was born"}
            if calls["n"] == 2
            else {"tool": "answer", "answer": "Thetford"}
        )
        return ModelResponse(parts=[ToolCallPart(tool.name, {"thought": "t", "action": action})])

    config = ReSumConfig(budget=5000, protocol_tokens=0, evidence_sentences=1, visit_shortlist=5)
    eng = RetrievalEngine(HybridIndex([page, *CORPUS[2:]], IndexConfig(dense=False)))
    final = run(build_resum(FunctionModel(agent), eng, count_tokens=words, config=config))
    visit = next(e for e in final["trajectory"] if e["kind"] == "tool" and e["call"].startswith("visit"))
    assert "[3] He was born in Thetford, Norfolk, in 1737." in shown[0]
    assert visit["result"] == "Evidence from Thomas Paine: He was born in Thetford, Norfolk, in 1737."
    assert final["answer"] == "Thetford" and final["status"] == "answered"


def test_summary_render_leaves_out_items_without_a_word() -> None:
    summary = Summary.model_construct(facts=[", ", "Paris is in France"], gaps=["  ..."], next=[])
    assert summary.render() == "Facts: Paris is in France\nMissing: nothing\nNext: answer"
    with pytest.raises(ValueError):
        Summary(facts=[""], gaps=[], next=[])  # the schema (so the grammar) refuses empty items


def test_a_reply_that_fails_validation_is_not_retried_past_the_budget() -> None:
    # Fault injected on purpose: every third step reply and the first summary lack required fields.
    # Re-sending such a reply with its error would grow the prompt past the size the call was budgeted
    # for, so every request must be a fresh one (no failed reply in its history); a bad step becomes a
    # counted feedback round and a bad summary falls back to the latest result.
    script = Script()
    histories: list[int] = []
    calls = {"step": 0, "summary": 0}

    def agent(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        histories.append(len(messages))
        tool = info.output_tools[0]
        props = tool.parameters_json_schema["properties"]
        kind = "summary" if "facts" in props else "step" if "thought" in props else "answer"
        if kind == "answer":
            return script.agent(messages, info)
        calls[kind] += 1
        if (kind == "step" and calls[kind] % 3 == 0) or (kind == "summary" and calls[kind] == 1):
            return ModelResponse(parts=[ToolCallPart(tool.name, {"thought": "cut off"})])
        return script.agent(messages, info)

    final = run(build_resum(FunctionModel(agent), engine(), count_tokens=words, config=CONFIG))
    assert histories and set(histories) == {1}
    invalid = [e for e in final["trajectory"] if e["kind"] == "invalid"]
    summaries = [e for e in final["trajectory"] if e["kind"] == "summary"]
    assert len(invalid) == calls["step"] // 3 and invalid[0]["feedback"].startswith("Feedback:")
    assert summaries and summaries[0]["summary"].startswith("Result ")  # the fallback summary
    assert final["peak_tokens"] <= CONFIG.budget and final["overflows"] == 0


def test_answer_candidates_come_from_facts_and_results_not_gaps() -> None:
    # The summary's gaps and next steps name what is not known; an entity that only they mention is
    # no answer candidate, and at the round limit the agent answers without summarizing first.
    script = Script()

    def summarizer(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        args = {"facts": ["Thomas Paine wrote it"], "gaps": ["Birthplace of Paris Hilton"], "next": ["Lyon"]}
        return ModelResponse(parts=[ToolCallPart(info.output_tools[0].name, args)])

    graph = build_resum(
        FunctionModel(script.agent),
        engine(),
        count_tokens=words,
        summarizer=FunctionModel(summarizer),
        config=CONFIG,
    )
    final = run(graph)
    events = final["trajectory"]
    answer = events[-1]
    assert any(e["kind"] == "summary" for e in events) and "Paris Hilton" in final["summary"]
    assert answer["kind"] == "answer" and answer["options"]
    assert not any(word in o for o in answer["options"] for word in ("Paris", "Hilton", "Lyon", "Missing"))
    assert final["status"] == "max_rounds" and events[-2]["kind"] == "tool"
