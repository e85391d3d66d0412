"""The ReAct baseline: well-formed commands only, the LLM picks every step, a fourth repeat stops it."""

from __future__ import annotations

from pydantic_ai.messages import ModelMessage, ModelResponse, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph.agents.embodied import available_commands, run_react
from goalgraph.envs.household import HouseholdEnv, score

from .conftest import episode


def choosing(plan: list[str]) -> FunctionModel:
    """A scripted LLM that takes the next command of `plan` when it is offered, else the first offer."""
    queue = list(plan)

    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        tool = info.output_tools[0]
        offered = tool.parameters_json_schema["properties"]["action"]["enum"]
        action = queue.pop(0) if queue and queue[0] in offered else offered[0]
        return ModelResponse(parts=[ToolCallPart(tool.name, {"thought": "next", "action": action})])

    return FunctionModel(reply)


def test_available_commands_follow_the_view() -> None:
    scene, task = episode("single_pickup", seed=1)
    env = HouseholdEnv(scene)
    obs = env.reset(task)
    cmds = available_commands(obs)
    assert cmds[-3:] == ["observe", "move forward", "end"]
    assert all(c.startswith("navigate to ") for c in cmds[:-3]) and "navigate to Fridge" in cmds
    cmds = available_commands(env.step("navigate to Fridge").observation)
    assert "open Fridge" in cmds and "close Fridge" not in cmds
    assert cmds.index("open Fridge") < min(i for i, c in enumerate(cmds) if c.startswith("navigate to"))


async def test_an_llm_choosing_the_right_steps_succeeds() -> None:
    scene, task = episode("single_pickup", seed=1)
    env = HouseholdEnv(scene)
    env.reset(task)
    host = env.handle(env.anchor(task.related_objects[0]))
    item = env.handle(task.related_objects[0])
    result = await run_react(env, task, model=choosing([f"navigate to {host}", f"pickup {item}", "end"]))
    assert result.llm_calls == 3 and result.errors == 0
    assert score(task, env.trajectory).success == 1


async def test_a_fourth_identical_action_ends_the_episode() -> None:
    scene, task = episode("single_search", seed=0)
    env = HouseholdEnv(scene)
    result = await run_react(env, task, model=choosing(["observe"] * 10))
    # The LLM chooses `observe` again and again: it runs three times, the fourth choice ends the episode.
    assert env.done and result.llm_calls == 4
    commands = [s.command for s in env.trajectory]
    assert commands[-4:] == ["observe", "observe", "observe", "(repeated action)"]
