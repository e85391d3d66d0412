"""Embodied-Reasoner: an observe–think–act agent for the household simulator, and a ReAct baseline.

graph = build_embodied(model="local", prior=CooccurrencePrior.learn(scenes))   # compiled LangGraph graph
run = asyncio.run(run_embodied(graph, HouseholdEnv(scene), task))               # trajectory with thoughts
print(score(task, run.trajectory))                                              # goalgraph.envs.household
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._agent import AgentState, EmbodiedRun, EpisodeContext, build_embodied, run_embodied
    from ._grounding import ground
    from ._memory import ExplorationMemory
    from ._prior import CooccurrencePrior
    from ._react import ReActResult, available_commands, run_react
    from ._thoughts import Situation, ThoughtWriter
    from ._types import PATTERNS, AgentConfig, Pattern, SubGoal, Thought

# Loaded on first use, so `goalgraph --help` (which imports this package's cli) does not pay for
# LangGraph and pydantic-ai.
_WHERE = {
    "AgentState": "_agent",
    "EmbodiedRun": "_agent",
    "EpisodeContext": "_agent",
    "build_embodied": "_agent",
    "run_embodied": "_agent",
    "ground": "_grounding",
    "ExplorationMemory": "_memory",
    "CooccurrencePrior": "_prior",
    "ReActResult": "_react",
    "available_commands": "_react",
    "run_react": "_react",
    "Situation": "_thoughts",
    "ThoughtWriter": "_thoughts",
    "PATTERNS": "_types",
    "AgentConfig": "_types",
    "Pattern": "_types",
    "SubGoal": "_types",
    "Thought": "_types",
}

__all__ = [
    "PATTERNS",
    "AgentConfig",
    "AgentState",
    "CooccurrencePrior",
    "EmbodiedRun",
    "EpisodeContext",
    "ExplorationMemory",
    "Pattern",
    "ReActResult",
    "Situation",
    "SubGoal",
    "Thought",
    "ThoughtWriter",
    "available_commands",
    "build_embodied",
    "ground",
    "run_embodied",
    "run_react",
]


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    # Literal imports (not importlib with a computed name): the security check bans computed imports.
    from . import _agent, _grounding, _memory, _prior, _react, _thoughts, _types

    modules = {
        "_agent": _agent,
        "_grounding": _grounding,
        "_memory": _memory,
        "_prior": _prior,
        "_react": _react,
        "_thoughts": _thoughts,
        "_types": _types,
    }
    value = getattr(modules[_WHERE[name]], name)
    globals()[name] = value
    return value
