"""The observe–think–act agent as a compiled LangGraph graph.

    graph = build_embodied(model=goalgraph.llm.model("local"), prior=prior)    # store: the shared MemoryStore
    run = await run_embodied(graph, HouseholdEnv(scene), task)                # run.trajectory carries thoughts

Nodes: ``ground`` (instruction → typed sub-goals; a task-planning thought) → ``think`` (GOAP plan for the
active sub-goal, next command, its thought) → ``act`` (simulator step; exploration memory in the store)
→ ``reflect`` on a failed action (self-reflection thought, then retry or replan) → ``think`` … → ``verify``
(double verification before ``end``; a failed check reopens the task) → ``finish``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, TypedDict

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from pydantic_ai.models import Model

from goalgraph.envs.household import HouseholdEnv, Observation, Task, TrajectoryStep
from goalgraph.traces import SpanKind, set_output, start_span

from ._grounding import ground
from ._memory import ExplorationMemory
from ._planning import Beliefs
from ._policy import Controller, Decision
from ._prior import CooccurrencePrior
from ._thoughts import Situation, ThoughtWriter
from ._types import AgentConfig, SubGoal, Thought

__all__ = ["AgentState", "EmbodiedRun", "EpisodeContext", "build_embodied", "run_embodied"]


@dataclass
class EpisodeContext:
    """Run-scoped objects of one episode (LangGraph's runtime context, not checkpointed state)."""

    env: HouseholdEnv
    """The simulator the agent acts in."""
    episode: str
    """Namespace key of this episode's exploration memory."""
    memory: ExplorationMemory | None = None
    """Set by the ground node from the graph's store."""
    controller: Controller | None = None
    """Sub-goal bookkeeping; set by the ground node."""
    llm_calls: int = 0
    """LLM requests so far."""
    thoughts: list[Thought] = field(default_factory=list)
    """Every thought, in order, with its pattern."""


class AgentState(TypedDict, total=False):
    """Graph state: the latest observation, sub-goals, the pending thought and decision, flags."""

    obs: Observation
    goals: list[SubGoal]
    thought: Thought | None
    decision: Decision | None
    failed: bool
    done: bool


@dataclass
class EmbodiedRun:
    """The result of one episode."""

    trajectory: list[TrajectoryStep]
    """The simulator's trajectory (init … end), each step with its thought and pattern."""
    thoughts: list[Thought]
    """Every thought of the episode."""
    goals: list[SubGoal]
    """The grounded sub-goals."""
    llm_calls: int
    """LLM requests the episode made."""


class _Nodes:
    """The graph's node functions over one model, prior and configuration."""

    def __init__(self, writer: ThoughtWriter, prior: CooccurrencePrior, config: AgentConfig) -> None:
        self.writer, self.prior, self.config = writer, prior, config

    async def _thought(self, ctx: EpisodeContext, pattern: Any, obs: Observation, facts: str) -> Thought:
        goals = ctx.controller.goals if ctx.controller else []
        thought, calls = await self.writer.write(pattern, Situation.of(obs, goals), facts)
        ctx.llm_calls += calls
        return thought

    async def ground(self, state: AgentState, runtime: Runtime[EpisodeContext]) -> AgentState:
        ctx, obs = runtime.context, state["obs"]
        assert runtime.store is not None, "build_embodied compiles the graph with a store"
        ctx.memory = ExplorationMemory(runtime.store, ctx.episode)
        vocab = self.prior.vocabulary() | {o.type for o in obs.known}
        goals = ground(obs.instruction, vocab)
        if not goals:
            goals, calls = await self.writer.ground(obs.instruction, sorted(vocab))
            ctx.llm_calls += calls
        ctx.controller = Controller(goals=goals, memory=ctx.memory, prior=self.prior, config=self.config)
        ctx.controller.observe(obs)
        plan = "; ".join(f"{i}. {g.describe()}" for i, g in enumerate(goals, 1)) or "none understood"
        thought = await self._thought(ctx, "task planning", obs, f"Sub-goals: {plan}.")
        return {"goals": goals, "thought": thought}

    async def think(self, state: AgentState, runtime: Runtime[EpisodeContext]) -> AgentState:
        ctx, obs = runtime.context, state["obs"]
        assert ctx.controller is not None and ctx.memory is not None
        decision = ctx.controller.decide(Beliefs(obs, ctx.memory))
        pending = state.get("thought")
        if decision.command == "end":  # its thought is written in verify
            return {"decision": decision, "thought": pending}
        if pending is not None:
            # The plan (or a reflection) is this step's thought; the planner's reason joins its facts.
            facts = f"{pending.facts} {decision.text}"
            text = pending.text if pending.by_llm else facts
            return {
                "decision": decision,
                "thought": pending.model_copy(update={"facts": facts, "text": text}),
            }
        return {
            "decision": decision,
            "thought": await self._thought(ctx, decision.pattern, obs, decision.text),
        }

    async def act(self, state: AgentState, runtime: Runtime[EpisodeContext]) -> AgentState:
        ctx = runtime.context
        assert ctx.controller is not None and ctx.memory is not None
        decision, thought = state["decision"], state.get("thought")
        assert decision is not None
        if thought is not None:
            ctx.thoughts.append(thought)
        with start_span(
            f"act {decision.command}", kind=SpanKind.CHAIN, attributes={"embodied.plan": decision.plan[:8]}
        ) as span:
            result = ctx.env.step(
                decision.command,
                thought=thought.render() if thought else "",
                pattern=thought.pattern if thought else "",
            )
            set_output(span, {"success": result.success, "feedback": result.feedback})
        ctx.controller.observe(result.observation)
        ctx.controller.record(result, Beliefs(result.observation, ctx.memory))
        return {"obs": result.observation, "thought": None, "failed": not result.success, "done": result.done}

    async def reflect(self, state: AgentState, runtime: Runtime[EpisodeContext]) -> AgentState:
        ctx, obs, decision = runtime.context, state["obs"], state["decision"]
        assert ctx.controller is not None and decision is not None
        tries = ctx.controller.fails[decision.command]
        plan = "try it once more" if tries <= self.config.retries else "drop it and plan another way"
        facts = f'I tried "{decision.command}" but it failed: {obs.feedback} My plan: {plan}.'
        return {"thought": await self._thought(ctx, "self-reflection", obs, facts)}

    async def verify(self, state: AgentState, runtime: Runtime[EpisodeContext]) -> AgentState:
        ctx, obs = runtime.context, state["obs"]
        assert ctx.controller is not None and ctx.memory is not None
        c = ctx.controller
        holds = c.verify(Beliefs(obs, ctx.memory))
        decision = state["decision"]
        facts = decision.text if decision else "Done."
        if holds or c.verify_failures >= self.config.verify_rounds or obs.steps_left <= 1 or not c.goals:
            return {"thought": await self._thought(ctx, "double verification", obs, facts), "done": True}
        c.reopen_last()
        return {"thought": await self._thought(ctx, "double verification", obs, facts + " I continue.")}

    async def finish(self, state: AgentState, runtime: Runtime[EpisodeContext]) -> AgentState:
        ctx, thought = runtime.context, state.get("thought")
        if thought is not None:
            ctx.thoughts.append(thought)
        if not ctx.env.done:
            ctx.env.step(
                "end", thought=thought.render() if thought else "", pattern=thought.pattern if thought else ""
            )
        return {"done": True}


def build_embodied(
    model: Model | str | None = None,
    *,
    store: Any = None,
    checkpointer: Any = None,
    config: AgentConfig = AgentConfig(),
    prior: CooccurrencePrior | None = None,
) -> Any:
    """The compiled observe–think–act graph.

    `model`: a pydantic-ai model or spec (``"local"``, ``"openai:M@URL"``) that writes the thoughts;
    `None` composes every thought from the typed facts. `store`: where exploration memory lives
    (default: the process-wide shared `MemoryStore`). `checkpointer` is handed to LangGraph's `compile`
    (state snapshots per step; the simulator itself lives in the run context). `prior`: where things
    are usually kept, learned from scenes (default: uninformed).
    """
    from goalgraph.llm import model as resolve
    from goalgraph.memory import default_store

    nodes = _Nodes(
        ThoughtWriter(resolve(model) if model is not None else None, config),
        prior or CooccurrencePrior(),
        config,
    )
    g = StateGraph(AgentState, context_schema=EpisodeContext)
    g.add_node("ground", nodes.ground)
    g.add_node("think", nodes.think)
    g.add_node("act", nodes.act)
    g.add_node("reflect", nodes.reflect)
    g.add_node("verify", nodes.verify)
    g.add_node("finish", nodes.finish)
    g.add_edge(START, "ground")
    g.add_edge("ground", "think")
    g.add_conditional_edges(
        "think", lambda s: "verify" if s["decision"].command == "end" else "act", ["verify", "act"]
    )
    g.add_conditional_edges(
        "act",
        lambda s: END if s.get("done") else ("reflect" if s.get("failed") else "think"),
        [END, "reflect", "think"],
    )
    g.add_edge("reflect", "think")
    g.add_conditional_edges("verify", lambda s: "finish" if s.get("done") else "think", ["finish", "think"])
    g.add_edge("finish", END)
    store = store if store is not None else default_store()  # an empty store is falsy (len 0)
    return g.compile(checkpointer=checkpointer, store=store, name="embodied")


async def run_embodied(
    graph: Any,
    env: HouseholdEnv,
    task: Task | None = None,
    *,
    instruction: str | None = None,
    thread_id: str | None = None,
    forget: bool = False,
) -> EmbodiedRun:
    """Run one episode on `env` (reset to `task`, or to a bare `instruction`) inside an
    ``invoke_agent embodied`` span. `forget` drops the episode's exploration memory afterwards (batch
    evaluations, so the shared store does not grow with finished episodes)."""
    obs = env.reset(task, instruction=instruction)
    episode = f"{task.uid if task else 'ad-hoc'}:{uuid.uuid4().hex[:8]}"
    ctx = EpisodeContext(env=env, episode=episode)
    settings: dict[str, Any] = {"recursion_limit": 4 * env.max_steps + 20}
    settings["configurable"] = {"thread_id": thread_id or episode}
    with start_span(
        "invoke_agent embodied",
        kind=SpanKind.AGENT,
        attributes={"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "embodied"},
        input={"instruction": obs.instruction},
    ) as span:
        final = await graph.ainvoke({"obs": obs, "thought": None}, settings, context=ctx)
        set_output(span, {"steps": len(env.trajectory), "llm_calls": ctx.llm_calls})
    if forget and ctx.memory is not None:
        ctx.memory.forget()
    return EmbodiedRun(
        trajectory=list(env.trajectory),
        thoughts=list(ctx.thoughts),
        goals=list(final.get("goals", [])),
        llm_calls=ctx.llm_calls,
    )
