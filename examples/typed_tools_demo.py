"""A pydantic-ai agent on the embedded local model answers a question by calling two typed tools.

python examples/typed_tools_demo.py          # or: goalgraph demo tools
"""

from __future__ import annotations

import time

from pydantic import BaseModel, Field
from pydantic_ai import Agent, RunContext
from pydantic_ai.capabilities import PrepareTools
from pydantic_ai.messages import ToolCallPart, ToolReturnPart
from pydantic_ai.tools import ToolDefinition
from pydantic_ai.usage import UsageLimits
from rich.console import Console
from rich.table import Table

from goalgraph import tool, traces
from goalgraph.llm import model


class Kilometres(BaseModel):
    """A distance in kilometres."""

    km: float = Field(description="kilometres")


class Duration(BaseModel):
    """A travel time."""

    hours: float = Field(description="hours")


@tool
def miles_to_km(miles: float) -> Kilometres:
    """Convert a distance in miles to kilometres."""
    return Kilometres(km=round(miles * 1.609344, 3))


@tool
def travel_hours(km: float, speed_kmh: float) -> Duration:
    """Hours needed to travel `km` kilometres at `speed_kmh` kilometres per hour."""
    return Duration(hours=round(km / speed_kmh, 3))


class Answer(BaseModel):
    """The typed result the agent must return."""

    km: float = Field(description="the distance in kilometres")
    hours: float = Field(description="the travel time in hours")


async def _one_step_at_a_time(ctx: RunContext[None], tools: list[ToolDefinition]) -> list[ToolDefinition]:
    # A 135M model follows a plan far better when each turn offers only the next unused tool.
    used = {p.tool_name for m in ctx.messages for p in m.parts if isinstance(p, ToolCallPart)}
    return [t for t in tools if t.name not in used][:1]


def main() -> Answer:
    console = Console()
    traces.setup()  # demos record their spans in .goalgraph/traces.db
    agent = Agent(
        model("local"),
        output_type=Answer,
        tools=[miles_to_km.as_pydantic_ai(), travel_hours.as_pydantic_ai()],
        capabilities=[PrepareTools(_one_step_at_a_time)],
        system_prompt=(
            "Step 1: call miles_to_km with the miles. Step 2: call travel_hours with the km from "
            "step 1 and the speed. Step 3: give the final result with km and hours."
        ),
    )
    question = "A runner covers 26.2 miles at 12 km/h. How many km is that, and how many hours does it take?"
    console.print(f"[b]question:[/b] {question}")
    started = time.perf_counter()
    with console.status("the embedded model is thinking …"):
        result = agent.run_sync(
            question, model_settings={"max_tokens": 64}, usage_limits=UsageLimits(request_limit=6)
        )
    table = Table(title="tool calls")
    table.add_column("tool")
    table.add_column("arguments")
    table.add_column("result")
    returns = {
        part.tool_call_id: part.content
        for message in result.all_messages()
        for part in message.parts
        if isinstance(part, ToolReturnPart)
    }
    for message in result.all_messages():
        for part in message.parts:
            if isinstance(part, ToolCallPart) and part.tool_name != "final_result":
                table.add_row(
                    part.tool_name, str(part.args_as_dict()), str(returns.get(part.tool_call_id, ""))
                )
    console.print(table)
    console.print(f"[b]typed result[/b] ({type(result.output).__name__}): {result.output!r}")
    console.print(
        f"{time.perf_counter() - started:.1f} s, {result.usage.input_tokens} input / "
        f"{result.usage.output_tokens} output tokens"
    )
    traces.force_flush()
    return result.output


if __name__ == "__main__":
    main()
