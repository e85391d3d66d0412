"""The observe–think–act agent on procedural scenes: every task type, planted failures, thoughts, graph."""

from __future__ import annotations

from typing import Any

import pytest
from langgraph.checkpoint.memory import InMemorySaver
from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph.agents.embodied import PATTERNS, CooccurrencePrior, build_embodied, run_embodied
from goalgraph.envs.household import HouseholdEnv, SimConfig, score
from goalgraph.memory import MemoryStore

from .conftest import episode

TASK_TYPES = (
    "single_search",
    "single_search_from_closerep",
    "single_pickup",
    "single_pickup_from_closerep",
    "single_toggle",
    "pickup_and_put",
    "pickup_and_put_in_closerep",
    "pickup_from_closerep_and_put",
    "ordered_pickup_two_object_and_put",
)


def thinking_model(prompts: list[str]) -> FunctionModel:
    """A scripted LLM: answers every typed thought request with a valid thought and logs the prompt."""

    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        tool = info.output_tools[0]
        props = tool.parameters_json_schema["properties"]
        prompts.append(str(messages[-1].parts[-1].content))  # type: ignore[union-attr]
        if "kind" in props:  # the grounding fallback
            return ModelResponse(parts=[ToolCallPart(tool.name, {"kind": "hold", "obj": "Apple"})])
        pattern = props["pattern"]["const"]
        opening = props["text"]["pattern"][1:].split(" [")[0]  # the sentence must open with these words
        text = f"{opening} ({pattern})."
        return ModelResponse(parts=[ToolCallPart(tool.name, {"pattern": pattern, "text": text})])

    return FunctionModel(reply)


@pytest.mark.parametrize("kind", TASK_TYPES)
async def test_solves_every_task_type(kind: str, prior: CooccurrencePrior, store: MemoryStore) -> None:
    scene, task = episode(kind, seed=3)
    run = await run_embodied(build_embodied(None, store=store, prior=prior), HouseholdEnv(scene), task)
    m = score(task, run.trajectory)
    assert m.success == 1, [s.command for s in run.trajectory]
    assert run.llm_calls == 0
    steps = run.trajectory[1:]
    assert all(s.pattern in PATTERNS for s in steps), [s.pattern for s in steps]
    # The first thought plans the task; the last one double-checks the goal before `end`.
    assert steps[0].pattern == "task planning" and "Sub-goals" in steps[0].thought
    assert steps[-1].command == "end" and steps[-1].pattern == "double verification"
    assert "it holds" in steps[-1].thought


async def test_search_never_looks_into_the_same_place_twice(
    prior: CooccurrencePrior, store: MemoryStore
) -> None:
    graph = build_embodied(None, store=store, prior=prior)
    for seed in range(8):
        scene, task = episode("single_search_from_closerep", seed=seed)
        run = await run_embodied(graph, HouseholdEnv(scene), task)
        opened = [s.command for s in run.trajectory if s.command.startswith("open ")]
        assert len(opened) == len(set(opened))
        assert score(task, run.trajectory).repeat_rate == 0.0


@pytest.mark.parametrize(
    ("kind", "seed"), [("pickup_and_put_in_closerep", s) for s in range(6)] + [("pickup_and_put", 1)]
)
async def test_a_put_task_looks_in_its_destination_last(
    kind: str, seed: int, prior: CooccurrencePrior, store: MemoryStore
) -> None:
    # Even with a prior that puts the object in its destination, the agent looks everywhere else first
    # (the task presupposes the object is not there yet), so it walks to the destination once, to deliver.
    scene, task = episode(kind, seed=seed)
    obj = next(a.objectType for a in task.task_metadata.actions if a.action == "pickup")
    dest = next(a.objectType for a in task.task_metadata.actions if a.action == "put")
    biased = prior.model_copy(update={"counts": {**prior.counts, obj: {dest: 10_000}}})
    assert biased.probability(obj, dest) > 0.9
    run = await run_embodied(build_embodied(None, store=store, prior=biased), HouseholdEnv(scene), task)
    steps = run.trajectory
    picked = next(i for i, s in enumerate(steps) if s.action == "pickup" and s.success and s.object == obj)
    assert not [s.command for s in steps[:picked] if s.object == dest and s.action in ("navigate to", "open")]
    m = score(task, steps)
    assert m.success == 1 and m.repeat_rate == 0.0, [s.command for s in steps]


async def test_recovers_from_a_planted_pickup_failure(prior: CooccurrencePrior, store: MemoryStore) -> None:
    scene, task = episode("single_pickup", seed=1)
    target = next(o.objectType for o in scene.objects if o.objectId == task.related_objects[0])
    env = HouseholdEnv(scene, SimConfig(flaky_pickups={target: 1}))
    prompts: list[str] = []
    run = await run_embodied(build_embodied(thinking_model(prompts), store=store, prior=prior), env, task)
    cmds = [(s.command, s.success) for s in run.trajectory]
    failed = next(i for i, (c, ok) in enumerate(cmds) if c.startswith("pickup") and not ok)
    assert "slipped" in run.trajectory[failed].feedback
    # The next step retries the same pickup, under a self-reflection thought the LLM wrote.
    retry = run.trajectory[failed + 1]
    assert retry.command == cmds[failed][0] and retry.success
    assert retry.pattern == "self-reflection" and retry.thought.startswith("I will (self-reflection).")
    assert any("but it failed" in p and "slipped" in p for p in prompts)
    assert score(task, run.trajectory).success == 1


async def test_repeated_failure_is_blacklisted_then_replanned(
    prior: CooccurrencePrior, store: MemoryStore
) -> None:
    scene, task = episode("single_pickup", seed=1)
    target = next(o.objectType for o in scene.objects if o.objectId == task.related_objects[0])
    env = HouseholdEnv(scene, SimConfig(flaky_pickups={target: 2}))
    run = await run_embodied(build_embodied(None, store=store, prior=prior), env, task)
    picks = [s for s in run.trajectory if s.command.startswith("pickup")]
    assert [p.success for p in picks] == [False, False, True]
    reflections = [s for s in run.trajectory if s.pattern == "self-reflection"]
    assert any("drop it and plan another way" in s.thought for s in reflections)
    assert score(task, run.trajectory).success == 1


async def test_llm_writes_typed_thoughts(prior: CooccurrencePrior, store: MemoryStore) -> None:
    scene, task = episode("pickup_and_put", seed=2)
    prompts: list[str] = []
    run = await run_embodied(
        build_embodied(thinking_model(prompts), store=store, prior=prior), HouseholdEnv(scene), task
    )
    by_llm = [t for t in run.thoughts if t.by_llm]
    # Default: the LLM writes the plan and the double check (no failures here); the rest is composed.
    assert {t.pattern for t in by_llm} == {"task planning", "double verification"}
    assert run.llm_calls == len(by_llm) == len(prompts)
    assert all(t.text.endswith(f" ({t.pattern}).") and t.facts for t in by_llm)
    assert task.taskquery in prompts[0] and "Sub-goals" in prompts[0]
    assert score(task, run.trajectory).success == 1


async def test_a_failing_model_falls_back_to_the_facts(prior: CooccurrencePrior, store: MemoryStore) -> None:
    def broken(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        raise RuntimeError("model server down")

    scene, task = episode("single_toggle", seed=0)
    run = await run_embodied(
        build_embodied(FunctionModel(broken), store=store, prior=prior), HouseholdEnv(scene), task
    )
    assert not any(t.by_llm for t in run.thoughts) and run.llm_calls == 2
    assert score(task, run.trajectory).success == 1


async def test_llm_grounds_an_instruction_the_rules_cannot_parse(
    prior: CooccurrencePrior, store: MemoryStore
) -> None:
    scene, _ = episode("single_pickup", seed=0)
    env = HouseholdEnv(scene)
    prompts: list[str] = []
    graph = build_embodied(thinking_model(prompts), store=store, prior=prior)
    run = await run_embodied(graph, env, instruction="I would like the Apple in my hand.")
    assert [(g.kind, g.obj) for g in run.goals] == [("hold", "Apple")]
    assert env.holding is not None and env.handle(env.holding) == "Apple"


async def test_graph_runs_with_a_checkpointer_and_the_shared_store(prior: CooccurrencePrior) -> None:
    store = MemoryStore(embedder="hash")
    saver = InMemorySaver()
    graph = build_embodied(None, store=store, checkpointer=saver, prior=prior)
    scene, task = episode("single_pickup_from_closerep", seed=0)
    run = await run_embodied(graph, HouseholdEnv(scene), task, thread_id="t1")
    history: list[Any] = list(graph.get_state_history({"configurable": {"thread_id": "t1"}}))
    assert len(history) > len(run.trajectory)  # a snapshot after every node
    assert history[0].values["done"] is True and history[0].values["goals"] == run.goals
    # Exploration memory went to the shared store, under the episode's namespace.
    assert any(ns[0] == "embodied" for ns in store.list_namespaces())


@pytest.mark.slow
async def test_real_local_model_writes_the_thoughts(prior: CooccurrencePrior, store: MemoryStore) -> None:
    import goalgraph.llm

    scene, task = episode("pickup_and_put", seed=4)
    graph = build_embodied(goalgraph.llm.model("local"), store=store, prior=prior)
    run = await run_embodied(graph, HouseholdEnv(scene), task)
    assert score(task, run.trajectory).success == 1
    by_llm = [t for t in run.thoughts if t.by_llm]
    assert by_llm and run.llm_calls >= len(by_llm)
    for t in by_llm:
        assert t.pattern in PATTERNS and 8 <= len(t.text) <= 80
