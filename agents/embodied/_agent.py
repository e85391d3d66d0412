"""The observe–think–act agent as a LangGraph graph.

    graph = build_embodied_agent(model="local", prior=prior)
    final = await run_agent(graph, env, task)          # the env's trajectory carries every thought

Nodes: ground (instruction → sub-goals, task-planning thought) → think (GOAP plan, next command) → act
(simulator step, exploration memory) → reflect on failure → think … → verify (double check) → finish.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, TypedDict

from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, StateGraph
from langgraph.store.base import BaseStore
from langgraph.store.memory import InMemoryStore
from pydantic_ai import Agent
from pydantic_ai.models import Model

from goalgraph.envs.household import HouseholdEnv, Observation, Task
from goalgraph.traces import SpanKind, set_output, start_span

from ._grounding import ground
from ._memory import ExplorationMemory
from ._planning import Beliefs
from ._policy import Controller, Decision
from ._prior import CooccurrencePrior
from ._types import AgentConfig, Pattern, SubGoal, Thought, ThoughtText

__all__ = ["AgentState", "Episode", "ThoughtWriter", "build_embodied_agent", "run_agent"]

_INSTRUCTIONS = "You are a household robot. Answer with one short sentence."


class ThoughtWriter:
    """Writes thoughts: the LLM for the configured patterns (short typed output), templates otherwise."""

    def __init__(self, model: Model | str | None, config: AgentConfig) -> None:
        self.config = config
        self.agent: Agent[None, ThoughtText] | None = None
        if model is not None:
            from goalgraph.llm import model as resolve

            # No output retries: a thought that does not validate falls back to the template at once.
            self.agent = Agent(resolve(model), output_type=ThoughtText, instructions=_INSTRUCTIONS, retries=0)

    async def write(self, pattern: Pattern, prompt: str, fallback: str, counter: list[int]) -> Thought:
        """A thought of `pattern`; `counter[0]` counts LLM requests. Falls back to `fallback` on any model error."""
        if self.agent is None or pattern not in self.config.llm_patterns:
            return Thought(pattern=pattern, text=fallback)
        counter[0] += 1
        try:
            result = await self.agent.run(prompt, model_settings={"max_tokens": self.config.max_tokens})
        except Exception:  # a tiny model may run out of tokens; the template thought stands in
            return Thought(pattern=pattern, text=fallback)
        return Thought(pattern=pattern, text=f"{result.output.text.strip()} ({fallback})", by_llm=True)


@dataclass
class Episode:
    """Per-episode runtime objects the graph's nodes use (passed in the run config, not the state)."""

    env: HouseholdEnv
    memory: ExplorationMemory
    prior: CooccurrencePrior
    writer: ThoughtWriter
    config: AgentConfig
    controller: Controller | None = None
    llm_calls: list[int] = field(default_factory=lambda: [0])
    thoughts: list[Thought] = field(default_factory=list)


class AgentState(TypedDict, total=False):
    """Graph state: the latest observation, the pending thought and decision, and whether it is over."""

    obs: Observation
    goals: list[SubGoal]
    thought: Thought | None
    decision: Decision | None
    failed: bool
    done: bool


def _episode(config: RunnableConfig) -> Episode:
    return config["configurable"]["episode"]  # type: ignore[no-any-return]


async def _ground(state: AgentState, config: RunnableConfig) -> AgentState:
    ep = _episode(config)
    obs = state["obs"]
    vocab = ep.prior.vocabulary() | {o.type for o in obs.known}
    goals = ground(obs.instruction, vocab)
    ep.controller = Controller(goals=goals, memory=ep.memory, prior=ep.prior, config=ep.config)
    plan_text = "; ".join(g.describe() for g in goals) or "nothing I understand"
    prompt = f"Task: {obs.instruction}\nSteps: {plan_text}.\nSay in one sentence what you will do first."
    thought = await ep.writer.write("task planning", prompt, f"Sub-goals: {plan_text}.", ep.llm_calls)
    return {"goals": goals, "thought": thought}


async def _think(state: AgentState, config: RunnableConfig) -> AgentState:
    ep = _episode(config)
    assert ep.controller is not None
    decision = ep.controller.decide(Beliefs(state["obs"], ep.memory))
    pending = state.get("thought")
    if decision.command == "end":
        return {"decision": decision, "thought": pending}
    thought = pending or await ep.writer.write(
        decision.pattern,
        f"Task: {state['obs'].instruction}\nNext: {decision.command}. Why?",
        decision.text,
        ep.llm_calls,
    )
    return {"decision": decision, "thought": thought}


async def _act(state: AgentState, config: RunnableConfig) -> AgentState:
    ep = _episode(config)
    assert ep.controller is not None
    decision, thought = state["decision"], state.get("thought")
    assert decision is not None
    if thought is not None:
        ep.thoughts.append(thought)
    with start_span(
        f"act {decision.command}", kind=SpanKind.CHAIN, attributes={"embodied.plan": decision.plan[:8]}
    ) as span:
        result = ep.env.step(
            decision.command,
            thought=thought.text if thought else "",
            pattern=thought.pattern if thought else "",
        )
        set_output(span, {"success": result.success, "feedback": result.feedback})
    ep.controller.observe(result.observation)
    ep.controller.record(result, Beliefs(result.observation, ep.memory))
    return {"obs": result.observation, "thought": None, "failed": not result.success, "done": result.done}


async def _reflect(state: AgentState, config: RunnableConfig) -> AgentState:
    ep = _episode(config)
    assert ep.controller is not None
    obs, decision = state["obs"], state["decision"]
    assert decision is not None
    tries = ep.controller.fails[decision.command]
    plan = "retry it" if tries <= ep.config.retries else "give it up and replan"
    text = f'"{decision.command}" did not work: {obs.feedback} I will {plan}.'
    prompt = f"Task: {obs.instruction}\nThe action {decision.command} failed. What now?"
    return {"thought": await ep.writer.write("self-reflection", prompt, text, ep.llm_calls)}


async def _verify(state: AgentState, config: RunnableConfig) -> AgentState:
    ep = _episode(config)
    assert ep.controller is not None
    b = Beliefs(state["obs"], ep.memory)
    ok = ep.controller.verify(b)
    if ok or ep.controller.verify_failures >= 2 or state["obs"].steps_left <= 1 or not ep.controller.goals:
        decision = state["decision"]
        text = decision.text if decision else "Done."
        return {"thought": Thought(pattern="double verification", text=text), "done": True}
    ep.controller.reopen_last()
    last = ep.controller.goals[-1].describe()
    return {
        "thought": Thought(
            pattern="self-reflection", text=f"My check failed: '{last}' does not hold yet; I continue."
        )
    }


async def _finish(state: AgentState, config: RunnableConfig) -> AgentState:
    ep = _episode(config)
    thought = state.get("thought")
    if thought is not None:
        ep.thoughts.append(thought)
    if not ep.env.done:
        ep.env.step(
            "end", thought=thought.text if thought else "", pattern=thought.pattern if thought else ""
        )
    return {"done": True}


def build_embodied_agent(*, checkpointer: Any = None) -> Any:
    """The compiled observe–think–act graph (runtime objects come per run through `run_agent`)."""
    g = StateGraph(AgentState)
    g.add_node("ground", _ground)
    g.add_node("think", _think)
    g.add_node("act", _act)
    g.add_node("reflect", _reflect)
    g.add_node("verify", _verify)
    g.add_node("finish", _finish)
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
    return g.compile(checkpointer=checkpointer)


async def run_agent(
    graph: Any,
    env: HouseholdEnv,
    task: Task | None,
    *,
    prior: CooccurrencePrior,
    writer: ThoughtWriter,
    store: BaseStore | None = None,
    config: AgentConfig | None = None,
    instruction: str | None = None,
) -> Episode:
    """Run one episode of the agent on `env` (reset to `task`); returns the episode (env holds the trajectory)."""
    cfg = config or writer.config
    obs = env.reset(task, instruction=instruction) if task is not None or instruction else env.reset()
    episode_id = (task.uid if task else "") + ":" + uuid.uuid4().hex[:8]
    ep = Episode(
        env=env,
        memory=ExplorationMemory(store or InMemoryStore(), episode_id),
        prior=prior,
        writer=writer,
        config=cfg,
    )
    ep.controller = None
    if ep.memory is not None:
        Controller(goals=[], memory=ep.memory, prior=prior, config=cfg).observe(obs)
    with start_span(
        "invoke_agent embodied", kind=SpanKind.AGENT, input={"instruction": obs.instruction}
    ) as span:
        await graph.ainvoke(
            {"obs": obs, "thought": None},
            {"configurable": {"episode": ep, "thread_id": episode_id}, "recursion_limit": 1000},
        )
        set_output(span, {"steps": len(env.trajectory), "llm_calls": ep.llm_calls[0]})
    return ep
