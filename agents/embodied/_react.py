"""The baseline: a plain ReAct agent (thought + action from the LLM at every step), no planner, no memory.

    episode = await run_react(env, task, model="local")

Same model and simulator as the agent. Each step the LLM sees the instruction, the current observation
and its last few actions, and returns a typed ``{thought, action}`` whose action is one of the commands
that are well-formed right now (so the comparison is about deciding, not spelling). As in the paper's
harness (evaluate.py: MAX_MODEL_INFER_COUNT consecutive repeats), an action chosen a fourth time in a row
ends the episode unexecuted: the same action runs at most three times running.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, create_model
from pydantic_ai import Agent
from pydantic_ai.models import Model

from goalgraph.envs.household import HouseholdEnv, Observation, Task
from goalgraph.llm import literal_of
from goalgraph.traces import SpanKind, set_output, start_span

__all__ = ["ReActResult", "available_commands", "run_react"]

_INSTRUCTIONS = (
    "You are a robot in a room. Complete the task. Each turn, think briefly, then choose one action."
)
_REPEATS_ALLOWED = 3  # consecutive runs of one action; choosing it once more ends the episode


def available_commands(obs: Observation) -> list[str]:
    """Every well-formed command for this observation (navigation to known places, interactions with
    what is in view, observe, move forward, end)."""
    cmds: list[str] = []
    for o in obs.visible:
        if o.pickupable and obs.holding is None:
            cmds.append(f"pickup {o.handle}")
        if o.receptacle and obs.holding is not None:
            cmds.append(f"put {o.handle}")
        if o.openable:
            cmds.append(f"{'close' if o.is_open else 'open'} {o.handle}")
        if o.toggleable:
            cmds.append(f"toggle {o.handle}")
    # What can be done here first, then where one can go (the order the LLM reads them in).
    cmds += [f"navigate to {o.handle}" for o in obs.known if o.handle != obs.location]
    return [*dict.fromkeys(cmds), "observe", "move forward", "end"]


def _step_model(commands: list[str]) -> type[BaseModel]:
    return create_model(
        "ReActStep",
        thought=(str, Field(max_length=20, description="Very short reasoning.")),
        action=(literal_of(commands), Field(description="The action to take.")),
    )


class ReActResult(BaseModel):
    """What one ReAct episode cost."""

    llm_calls: int = Field(description="LLM requests made.")
    errors: int = Field(description="Steps whose LLM output failed (the episode then observes).")


async def run_react(
    env: HouseholdEnv,
    task: Task | None,
    *,
    model: Model | str | None,
    max_tokens: int = 64,
    history: int = 3,
) -> ReActResult:
    """Run one ReAct episode; the trajectory is in `env.trajectory`."""
    from goalgraph.llm import model as resolve

    llm = resolve(model) if not isinstance(model, Model) else model
    obs = env.reset(task) if task is not None else env.reset()
    past: list[str] = []
    calls = errors = 0
    last: list[str] = []
    with start_span(
        "invoke_agent react", kind=SpanKind.AGENT, input={"instruction": obs.instruction}
    ) as span:
        while not env.done:
            commands = available_commands(obs)
            agent: Agent[None, Any] = Agent(
                llm, output_type=_step_model(commands), instructions=_INSTRUCTIONS, retries=0
            )
            listed = [c for c in commands if c not in ("observe", "move forward", "end")][:30]
            # The observation without its list of places (the possible actions list them), cut from the end
            # so what is here and what is in hand always reach the model.
            seen = "\n".join(line for line in obs.text.splitlines() if not line.startswith("Places you can"))
            prompt = (
                f"Task: {obs.instruction}\n{seen[:600]}\n"
                + (f"Your last actions: {'; '.join(past[-history:])}\n" if past else "")
                + f"Possible actions: {', '.join(listed)}, observe, move forward, end.\nChoose the next action."
            )
            calls += 1
            try:
                out = (await agent.run(prompt, model_settings={"max_tokens": max_tokens})).output
                command, thought = str(out.action), str(out.thought)
            except Exception:  # an output the tiny model could not finish: look around instead
                errors += 1
                command, thought = "observe", ""
            last = [*last[-_REPEATS_ALLOWED:], command]
            if len(last) > _REPEATS_ALLOWED and len(set(last)) == 1 and command != "end":
                env.finish("(repeated action)")
                break
            result = env.step(command, thought=thought, pattern="")
            obs = result.observation
            past.append(f"{command} -> {'ok' if result.success else 'failed'}")
        set_output(span, {"steps": len(env.trajectory), "llm_calls": calls})
    return ReActResult(llm_calls=calls, errors=errors)
