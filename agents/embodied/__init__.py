"""Embodied-Reasoner: an observe–think–act agent for the household simulator, and a ReAct baseline.

graph = build_embodied(model="local", prior=CooccurrencePrior.learn(scenes))   # compiled LangGraph graph
run = asyncio.run(run_embodied(graph, HouseholdEnv(scene), task))               # trajectory with thoughts
print(score(task, run.trajectory))                                              # goalgraph.envs.household
"""

from ._agent import AgentState, EmbodiedRun, EpisodeContext, build_embodied, run_embodied
from ._grounding import ground
from ._memory import ExplorationMemory
from ._prior import CooccurrencePrior
from ._react import ReActResult, available_commands, run_react
from ._thoughts import Situation, ThoughtWriter
from ._types import PATTERNS, AgentConfig, Pattern, SubGoal, Thought

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
