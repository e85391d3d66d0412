"""The baseline: a plain ReAct agent (thought + action from the LLM at every step), no planner, no memory.

    episode = await run_react(env, task, model="local")

Same model and simulator as the agent. The run is one conversation, as in the paper's harness
(zwq2018/embodied_reasoner, evaluate/evaluate.py): the instructions describe the action templates; the
first user turn is the task and the first observation; every step the model answers with a typed
``{thought, action}`` (the thought first, then the action: ReAct) and the simulator's text observation of
that action comes back as the action's result. The model sees its own recent turns (thoughts, actions and
what each one produced); it is given no plan, no search order and no record of where it has looked
beyond that window. Its action is constrained to the commands that are well-formed right now (what is in
view, the places it has seen, ``observe``, ``move forward``, ``end``), the text counterpart of the paper's
matching of a free-text action onto the scene's objects, so the comparison is about deciding, not
spelling. As in the paper's loop (``MAX_MODEL_INFER_COUNT``), an action chosen a fourth time in a row ends
the episode unexecuted: the same action runs at most three times running.

What changed from the first version of this baseline, and why (traced on stratified dev tasks; the
135M model picks the first command it is shown in most steps, so the list's order decided its behaviour):

- **Neutral order.** The possible actions were listed interactions-in-view first, then places in
  alphabetical order, cut to 30. The model took the first place once (``Bed``, ``Cabinet_1``), then the
  first thing in view, then looped ``pickup X`` / ``put Y`` on the spot to the step limit: one navigation
  per episode, a repeat rate of zero by construction and no success. A places-first order would have
  made it shuttle between the first two places instead (repeats by construction). Now every well-formed
  command is listed in a random order drawn afresh each step (seeded by the task id, so a run is
  reproducible), so no command is favoured by where it stands.
- **No cut.** The 30-item cut hid the places that sort late (``Fridge``, ``SinkBasin``, ``Toaster``,
  ``SideTable``) from the prompt in larger rooms; every available command is listed now.
- **Its own past as a conversation.** It was told only its last three commands with "ok"/"failed". Now
  its recent turns are real chat turns: its thought and action, then the full observation they led to
  (the feedback, where it stands, what is in view, what it holds). The paper keeps the whole
  conversation; a 135M model with a small context keeps a window of the last 4–7 steps (cut 4 steps at a
  time, so the embedded engine's prefix cache reuses the conversation between cuts) after the task turn.
- **Room for the thought.** The thought was capped at 20 characters, which cut the model off mid-phrase; it
  now has 60 (the 135M model still mostly restates the instruction there).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, create_model
from pydantic_ai import Agent, ToolOutput
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models import Model

from goalgraph.envs.household import HouseholdEnv, Observation, Task
from goalgraph.llm import literal_of
from goalgraph.traces import SpanKind, set_output, start_span

__all__ = ["ReActResult", "available_commands", "run_react"]

# The paper's Available_Actions, in our words (the command syntax is the simulator's).
_INSTRUCTIONS = """You are a robot in a room. Complete the task you are given, one action at a time.
Actions:
- navigate to <object>: walk to the object.
- pickup <object>: pick the object up (you hold one thing at a time).
- put <object>: put what you hold in or on the object.
- toggle <object>: switch the object on or off.
- open <object>: open it; you see what is inside.
- close <object>: close it.
- observe: look around where you are.
- move forward: step forward to see more closely.
- end: the task is done.
Each turn, think briefly about what you see and what is left to do, then choose one action."""
_TOOL = "act"
_REPEATS_ALLOWED = 3  # consecutive runs of one action; choosing it once more ends the episode
_BARE = ("observe", "move forward", "end")


def available_commands(obs: Observation) -> list[str]:
    """Every well-formed command for this observation: interactions with what is in view, navigation to
    the places seen so far, then ``observe``, ``move forward``, ``end`` (the prompt lists them shuffled)."""
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
    cmds += [f"navigate to {o.handle}" for o in obs.known if o.handle != obs.location]
    return [*dict.fromkeys(cmds), *_BARE]


def _step_model(commands: list[str], thought_chars: int) -> type[BaseModel]:
    return create_model(
        "ReActStep",
        thought=(str, Field(max_length=thought_chars, description="Your short reasoning for this step.")),
        action=(literal_of(commands), Field(description="The action to take, one of the possible actions.")),
    )


def _seen(obs: Observation) -> str:
    """The observation as the model reads it, without the list of places (the action list names them)."""
    return "\n".join(line for line in obs.text.splitlines() if not line.startswith("Places you can"))


def _window(n: int, size: int) -> int:
    """Index of the first past step kept: at least `size` steps, cut `size` at a time (so the prompt's
    prefix stays the same between cuts and the engine's prefix cache can reuse it)."""
    return max(0, (n - size) // size * size) if size > 0 else n


def _conversation(first: str, turns: Sequence[tuple[dict[str, str], str]], size: int) -> list[ModelMessage]:
    """The task turn, then the kept steps: the model's call, and the observation it got back."""
    messages: list[ModelMessage] = [ModelRequest(parts=[UserPromptPart(first)])]
    start = _window(len(turns), size)
    for i, (call, seen) in enumerate(turns[start:], start):
        cid = f"step{i}"
        messages.append(ModelResponse(parts=[ToolCallPart(_TOOL, call, tool_call_id=cid)]))
        messages.append(ModelRequest(parts=[ToolReturnPart(_TOOL, seen, tool_call_id=cid)]))
    return messages


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
    history: int = 4,
    thought_chars: int = 60,
    seed: int | str | None = None,
) -> ReActResult:
    """Run one ReAct episode; the trajectory is in `env.trajectory`.

    `history`: past steps kept in the conversation (between `history` and 2×`history` − 1, see the module
    doc); `seed`: the order of the listed actions (default: the task id, or the instruction).
    """
    from goalgraph.llm import model as resolve

    llm = resolve(model) if not isinstance(model, Model) else model
    obs = env.reset(task) if task is not None else env.reset()
    rng = random.Random(str(seed if seed is not None else (task.uid if task else obs.instruction)))
    first = f'Task: "{obs.instruction}"\n{_seen(obs)}'
    turns: list[tuple[dict[str, str], str]] = []
    calls = errors = 0
    last: list[str] = []
    with start_span(
        "invoke_agent react", kind=SpanKind.AGENT, input={"instruction": obs.instruction}
    ) as span:
        while not env.done:
            commands = available_commands(obs)
            agent: Agent[None, Any] = Agent(
                llm,
                output_type=ToolOutput(
                    _step_model(commands, thought_chars),
                    name=_TOOL,
                    description="Your thought, then the action to take.",
                ),
                instructions=_INSTRUCTIONS,
                retries=0,
            )
            listed = rng.sample(commands, len(commands))
            prompt = f"Possible actions: {', '.join(listed)}.\nThink, then choose the next action."
            calls += 1
            try:
                out = (
                    await agent.run(
                        prompt,
                        message_history=_conversation(first, turns, history),
                        model_settings={"max_tokens": max_tokens},
                    )
                ).output
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
            turns.append(({"thought": thought, "action": command}, _seen(obs)))
        set_output(span, {"steps": len(env.trajectory), "llm_calls": calls})
    return ReActResult(llm_calls=calls, errors=errors)
