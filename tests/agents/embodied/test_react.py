"""The ReAct baseline: well-formed commands only, listed in full and in a neutral order, its own recent
turns as a conversation, the LLM picks every step, a fourth repeat stops it."""

from __future__ import annotations

import pytest
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph.agents.embodied import available_commands, run_react
from goalgraph.envs.household import HouseholdEnv, StepResult, score

from .conftest import episode


def choosing(plan: list[str], seen: list[list[ModelMessage]] | None = None) -> FunctionModel:
    """A scripted LLM that takes the next command of `plan` when it is offered, else the first offer;
    `seen` collects the messages of every request."""
    queue = list(plan)

    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if seen is not None:
            seen.append(list(messages))
        tool = info.output_tools[0]
        offered = tool.parameters_json_schema["properties"]["action"]["enum"]
        action = queue.pop(0) if queue and queue[0] in offered else offered[0]
        return ModelResponse(parts=[ToolCallPart(tool.name, {"thought": "next", "action": action})])

    return FunctionModel(reply)


def _listed(messages: list[ModelMessage]) -> list[str]:
    """The possible actions the last request listed, in the order shown."""
    last = messages[-1].parts[-1]
    assert isinstance(last, UserPromptPart) and isinstance(last.content, str)
    line = last.content.split("Possible actions: ", 1)[1].splitlines()[0]
    return line.removesuffix(".").split(", ")


def test_available_commands_follow_the_view() -> None:
    scene, task = episode("single_pickup", seed=1)
    env = HouseholdEnv(scene)
    obs = env.reset(task)
    cmds = available_commands(obs)
    assert cmds[-3:] == ["observe", "move forward", "end"]
    assert all(c.startswith("navigate to ") for c in cmds[:-3]) and "navigate to Fridge" in cmds
    cmds = available_commands(env.step("navigate to Fridge").observation)
    assert "open Fridge" in cmds and "close Fridge" not in cmds


async def test_an_llm_choosing_the_right_steps_succeeds() -> None:
    scene, task = episode("single_pickup", seed=1)
    env = HouseholdEnv(scene)
    env.reset(task)
    host = env.handle(env.anchor(task.related_objects[0]))
    item = env.handle(task.related_objects[0])
    result = await run_react(env, task, model=choosing([f"navigate to {host}", f"pickup {item}", "end"]))
    assert result.llm_calls == 3 and result.errors == 0
    assert score(task, env.trajectory).success == 1


async def test_every_command_is_listed_in_an_order_that_favours_none() -> None:
    scene, task = episode("pickup_and_put", seed=2)
    env = HouseholdEnv(scene)
    offered = available_commands(env.reset(task))
    assert len(offered) > 12
    orders = []
    for seed in range(4):
        seen: list[list[ModelMessage]] = []
        await run_react(HouseholdEnv(scene), task, model=choosing(["end"], seen), seed=seed)
        listed = _listed(seen[0])
        assert sorted(listed) == sorted(offered)  # all of them: no cut
        orders.append(listed)
    assert len({tuple(o) for o in orders}) == 4  # the order is drawn, not fixed
    seen = []
    await run_react(HouseholdEnv(scene), task, model=choosing(["end"], seen), seed=0)
    assert _listed(seen[0]) == orders[0]  # ... and reproducible from the seed


async def test_the_model_sees_its_recent_turns_and_what_they_led_to() -> None:
    scene, task = episode("single_search", seed=0)
    env = HouseholdEnv(scene)
    places = [c for c in available_commands(env.reset(task)) if c.startswith("navigate to ")][:9]
    seen: list[list[ModelMessage]] = []
    await run_react(HouseholdEnv(scene), task, model=choosing([*places, "end"], seen), history=2)
    assert len(seen) == 10
    first = seen[0][0].parts[0]
    assert isinstance(first, UserPromptPart) and task.taskquery in str(first.content)

    def kept(messages: list[ModelMessage]) -> list[str]:
        return [
            str(p.args_as_dict()["action"])
            for m in messages
            if isinstance(m, ModelResponse)
            for p in m.parts
            if isinstance(p, ToolCallPart)
        ]

    # Step 3 sees both earlier calls and the observation of the latest one as that call's result.
    assert kept(seen[2]) == places[:2]
    result = seen[2][-1].parts[0]
    assert isinstance(result, ToolReturnPart) and f"You walk to {places[1].split()[-1]}" in str(
        result.content
    )
    assert "Places you can" not in str(result.content)  # the list of actions names the places
    # A window of 2-3 past steps, cut two at a time; the task turn always stays first.
    assert [len(kept(s)) for s in seen] == [0, 1, 2, 3, 2, 3, 2, 3, 2, 3]
    assert all(isinstance(s[0], ModelRequest) and s[0].parts[0].content == first.content for s in seen)


async def test_a_fourth_identical_action_ends_the_episode() -> None:
    scene, task = episode("single_search", seed=0)
    env = HouseholdEnv(scene)
    result = await run_react(env, task, model=choosing(["observe"] * 10))
    # The LLM chooses `observe` again and again: it runs three times, the fourth choice ends the episode.
    assert env.done and result.llm_calls == 4
    commands = [s.command for s in env.trajectory]
    assert commands[-4:] == ["observe", "observe", "observe", "(repeated action)"]


@pytest.mark.slow
async def test_real_local_model_plays_an_episode() -> None:
    import goalgraph.llm

    scene, task = episode("single_search", seed=0)
    env = HouseholdEnv(scene)
    offered: list[set[str]] = []
    step = env.step

    def recording(command: str, **kw: str) -> StepResult:
        offered.append(set(available_commands(env.observe_state("", True, ""))))
        return step(command, **kw)

    env.step = recording  # type: ignore[method-assign]
    result = await run_react(env, task, model=goalgraph.llm.model("local"))
    taken = [s for s in env.trajectory[1:] if s.command not in ("(step limit)", "(repeated action)")]
    # Every decoded action parsed and was one the simulator offered at that step; each step cost one call.
    assert result.errors == 0 and env.done
    assert all(s.command in cmds for s, cmds in zip(taken, offered, strict=False))
    assert result.llm_calls == len(offered) + (env.trajectory[-1].command == "(repeated action)")
    assert all(len(s.thought) <= 60 for s in taken)
