"""A pydantic-ai agent on the embedded local model answers a question by calling two typed tools.

python examples/typed_tools_demo.py          # or: goalgraph demo tools
"""

from __future__ import annotations

import time

from pydantic import BaseModel, Field
from pydantic_ai import Agent
from pydantic_ai.messages import ToolCallPart, ToolReturnPart
from pydantic_ai.usage import UsageLimits
from rich.console import Console
from rich.table import Table

from goalgraph import tool, traces
from goalgraph.llm import model


@tool
def miles_to_km(miles: float) -> float:
    """Convert a distance in miles to kilometres."""
    return round(miles * 1.609344, 3)


@tool
def travel_hours(km: float, speed_kmh: float) -> float:
    """Hours needed to travel `km` kilometres at `speed_kmh` kilometres per hour."""
    return round(km / speed_kmh, 3)


class Answer(BaseModel):
    """The typed result the agent must return."""

    kilometres: float = Field(description="the distance in kilometres")
    summary: str = Field(max_length=80, description="one short sentence")


def main() -> Answer:
    console = Console()
    traces.setup()  # demos record their spans in .goalgraph/traces.db
    agent = Agent(
        model("local"),
        output_type=Answer,
        tools=[miles_to_km.as_pydantic_ai(), travel_hours.as_pydantic_ai()],
        system_prompt="Use the miles_to_km tool to convert the distance, then give the final result.",
    )
    question = "How many kilometres is 26.2 miles?"
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
