"""Memory-T1 (arXiv 2512.20092): temporal memory retrieval over multi-session dialogue.

graph = build_memory_t1(model="local", store=store)      # GOAP-planned typed steps as a LangGraph graph
state = asyncio.run(run_question(graph, Question(text="What did Ann do last week?", namespace=("c",))))
state["time_window"], state["candidates"], state["answer"], plan_steps(state)
"""

from ._graph import MemoryT1State, build_memory_t1, plan_steps, run_question
from ._ranges import RangeItem, evaluate_ranges, load_ranges, window_iou
from ._rewards import (
    EventTime,
    RewardContext,
    SessionRecord,
    accuracy_reward,
    grounding_reward,
    memory_t1_reward,
    session_time_reward,
    temporal_consistency,
    text_match,
)
from ._sessions import ingest_sessions, load_sessions, sessions_from_locomo, sessions_from_time_dialog
from ._types import (
    Answer,
    Candidates,
    Evidence,
    MemoryT1Config,
    ModelAnswer,
    ParsedWindow,
    Question,
    Ranked,
    RankedSession,
    Session,
    TimeWindow,
)

__all__ = [
    "Answer",
    "Candidates",
    "EventTime",
    "Evidence",
    "MemoryT1Config",
    "MemoryT1State",
    "ModelAnswer",
    "ParsedWindow",
    "Question",
    "RangeItem",
    "Ranked",
    "RankedSession",
    "RewardContext",
    "Session",
    "SessionRecord",
    "TimeWindow",
    "accuracy_reward",
    "build_memory_t1",
    "evaluate_ranges",
    "grounding_reward",
    "ingest_sessions",
    "load_ranges",
    "load_sessions",
    "memory_t1_reward",
    "plan_steps",
    "run_question",
    "session_time_reward",
    "sessions_from_locomo",
    "sessions_from_time_dialog",
    "temporal_consistency",
    "text_match",
    "window_iou",
]
