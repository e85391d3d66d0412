"""GOAP planning: cost-optimal A* plans from typed tools, and a plan–act–replan LangGraph executor.

    result = plan([search, fetch, answer], Goal.of(Answer), Blackboard([Question(text="Who?")]))
    print(result)                                     # a Plan table (step, action, cost, why) or a NoPlan
    done = outcome(build_executor([search, fetch, answer], Answer).invoke(initial_state(question)))

Vocabulary
- `Condition`: TRUE / FALSE / UNKNOWN. A `WorldState` maps condition names to values (unlisted: FALSE).
  Unknown satisfies no precondition, so the planner never guesses.
- `Blackboard`: the typed objects a run holds (by type and name) plus asserted facts; its world state
  has ``has:<Type>`` for every held type, explicit predicates (functions of the blackboard, `None` =
  unknown), and the facts that actions asserted (their explicit ``produces``).
- `Action`: preconditions, effects (add and delete: ``{cond: True/False}``), cost (number or function of
  the start state), re-runnable flag; `Action.from_tool(tool)` uses the tool's ``has:<Type>`` defaults
  and explicit ``requires`` / ``produces``.
- `Goal`: conditions plus a value; with several goals the plan maximising value − cost is chosen.
- `plan(...)` / `AStarPlanner` → `Plan` (prints as a table that says why each step is there) or
  `NoPlan` (falsy: each goal condition no action can produce, the nearest state reached, the effort).
  A* uses an admissible heuristic over bitset states — LM-cut by default, h_max on request
  (`heuristic=`; proofs in `_heuristics.py`) — deterministic tie-breaking, and a `SearchBudget`.
- `build_executor(tools, goal, budget=Budget(...), checkpointer=...)` → compiled LangGraph graph;
  `outcome(final_state)` → `Done` / `Stuck`. A failing tool is blacklisted for the next round; a tool
  raising `Replan` asks for a new plan; every round is a CHAIN span ``plan`` and every action a CHAIN
  span ``act NAME`` around the tool's own ``execute_tool`` span.
"""

from ._astar import AStarPlanner, PlanningProblem, plan
from ._executor import ExecutorState, build_executor, initial_state
from ._model import Action, Goal, HeuristicName, SearchBudget, parse_conditions
from ._plan import MissingCondition, NearestState, NoPlan, Plan, PlanStep, explain
from ._results import Budget, Done, Event, Replan, Stuck, outcome
from ._state import Blackboard, Condition, Predicate, WorldState, condition_of

__all__ = [
    "AStarPlanner",
    "Action",
    "Blackboard",
    "Budget",
    "Condition",
    "Done",
    "Event",
    "ExecutorState",
    "Goal",
    "HeuristicName",
    "MissingCondition",
    "NearestState",
    "NoPlan",
    "Plan",
    "PlanStep",
    "PlanningProblem",
    "Predicate",
    "Replan",
    "SearchBudget",
    "Stuck",
    "WorldState",
    "build_executor",
    "condition_of",
    "explain",
    "initial_state",
    "outcome",
    "parse_conditions",
    "plan",
]
