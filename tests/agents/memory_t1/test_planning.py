"""The planner derives the Memory-T1 pipeline from the steps' types and conditions, and replans on failure."""

from __future__ import annotations

import asyncio
from datetime import datetime

from langgraph.checkpoint.memory import InMemorySaver

from goalgraph.agents.memory_t1 import (
    MemoryT1Config,
    Question,
    build_memory_t1,
    ingest_sessions,
    load_sessions,
)
from goalgraph.agents.memory_t1._graph import plan_steps
from goalgraph.agents.memory_t1._steps import NEEDS_LLM, make_steps
from goalgraph.agents.memory_t1._types import Answer, ParsedWindow, TimeWindow
from goalgraph.llm import scripted
from goalgraph.memory import MemoryStore
from goalgraph.planners import Blackboard, plan

SESSIONS = [
    {"session_id": "session_1", "time": "2023-05-08 13:56", "turns": ["Ann: I went to a pottery class."]},
    {"session_id": "session_2", "time": "2023-06-20 10:00", "turns": ["Ann: We hiked Mount Rainier."]},
]
ASKED = datetime(2023, 6, 25)
FULL = [
    "parse_time_window",
    "accept_parsed_window",
    "find_candidates",
    "rank_candidates",
    "locate_evidence",
    "select_and_answer",
    "compose_answer",
]


def _store() -> MemoryStore:
    store = MemoryStore(embedder="hash")
    ingest_sessions(store, ("p",), load_sessions(SESSIONS))
    return store


def _question(text: str) -> Question:
    return Question(text=text, namespace=("p",), asked_at=ASKED, task="Localization")


def test_the_order_comes_from_the_types() -> None:
    store = _store()
    steps = make_steps(store, scripted([]), MemoryT1Config())
    # the actions are handed over in no particular order: the plan is the planner's
    first = plan(list(reversed(steps.actions)), Answer, Blackboard([_question("Where did Ann go?")]))
    assert [s.action for s in first.steps] == FULL
    # without a model the answer comes from the evidence; without the filter no window is needed
    no_model = make_steps(store, None, MemoryT1Config())
    assert [s.action for s in plan(no_model.actions, Answer, Blackboard([_question("x")])).steps] == [
        *FULL[:5],
        "answer_from_evidence",
    ]
    no_filter = make_steps(store, None, MemoryT1Config(use_time_filter=False))
    assert [s.action for s in plan(no_filter.actions, Answer, Blackboard([_question("x")])).steps] == [
        "all_sessions",
        *FULL[3:5],
        "answer_from_evidence",
    ]


def test_the_llm_window_is_planned_only_once_the_parser_asks_for_it() -> None:
    steps = make_steps(_store(), scripted([]), MemoryT1Config())
    q = _question("What did Ann do in the week of her hike?")
    board = Blackboard([q, ParsedWindow(window=TimeWindow(), needs_llm=True)])
    assert steps.predicates[NEEDS_LLM](board) is True
    after_parse = [a for a in steps.actions if a.name != "parse_time_window"]
    chosen = plan(after_parse, Answer, board, predicates=steps.predicates)
    assert [s.action for s in chosen.steps][:2] == ["llm_time_window", "find_candidates"]
    # before the parser has run the condition is unknown, so the first plan takes the parser's window
    board = Blackboard([q])
    assert steps.predicates[NEEDS_LLM](board) is None
    assert [s.action for s in plan(steps.actions, Answer, board, predicates=steps.predicates).steps] == FULL


def test_a_failed_llm_window_replans_to_the_parsers_window() -> None:
    # "in the week of her hike" has a time cue the rules cannot resolve; the model's slots name no period
    model = scripted([{"unit": "none"}, {"selected_memory": ["session_2"], "answer": "x"}])
    graph = build_memory_t1(model=model, store=_store(), checkpointer=InMemorySaver())
    state = asyncio.run(
        graph.ainvoke(
            {"question": _question("What did Ann do in the week of her hike?")},
            config={"configurable": {"thread_id": "t"}},
        )
    )
    assert plan_steps(state) == [FULL[0], "llm_time_window:failed", *FULL[1:]]
    assert state["time_window"].is_open and state["answer"].llm_answer == "x"
    plans = [[s["action"] for s in p["steps"]] for p in state["result"]["plans"]]
    assert plans[1][0] == "llm_time_window" and plans[2][0] == "accept_parsed_window"  # the replan


def test_a_usable_llm_window_filters_the_candidates() -> None:
    model = scripted([{"unit": "month", "periods_ago": 0}, {"selected_memory": ["session_2"], "answer": "x"}])
    state = asyncio.run(
        build_memory_t1(model=model, store=_store()).ainvoke(
            {"question": _question("What did Ann do this month?")}
        )
    )
    assert plan_steps(state)[1] == "llm_time_window"
    assert state["time_window"].source == "llm" and state["candidates"].session_ids == ("session_2",)


def test_a_failed_model_answer_replans_to_the_evidence() -> None:
    # an id the schema does not allow, every retry: the model step fails, the evidence answers
    model = scripted([{"selected_memory": ["session_9"], "answer": "x"}] * 8)
    state = asyncio.run(
        build_memory_t1(model=model, store=_store()).ainvoke({"question": _question("Where did Ann hike?")})
    )
    assert plan_steps(state)[-2:] == ["select_and_answer:failed", "answer_from_evidence"]
    assert state["answer"].llm_answer is None and state["answer"].selected_memory


def test_a_thread_can_answer_several_questions() -> None:
    graph = build_memory_t1(store=_store(), checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "same"}}
    for text in ("Where did Ann hike?", "What did Ann do in May 2023?"):
        state = asyncio.run(graph.ainvoke({"question": _question(text)}, config=config))
        assert plan_steps(state)[0] == "parse_time_window" and len(plan_steps(state)) == 6
    assert state["candidates"].session_ids == ("session_1",)
