"""A small deterministic evaluation used by the harness tests (also run as a subprocess to be killed)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from goalgraph.evals import EvalConfig, EvalTask, run_eval


class Sum(BaseModel):
    value: int


def _scripted(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    # The scripted model adds the two numbers it is given, and gets every seventh one wrong.
    prompt = str(messages[-1].parts[-1].content)  # type: ignore[union-attr]
    a, b = (int(x) for x in prompt.split("+"))
    value = a + b + (1 if (a + b) % 7 == 0 else 0)
    return ModelResponse(parts=[TextPart(content=f'{{"value": {value}}}')])


class AdditionRunner:
    """Builds its agent once; each episode asks it one sum."""

    def __init__(self, marker_dir: str | None = None, delay: float = 0.0) -> None:
        self.agent = Agent(FunctionModel(_scripted), output_type=Sum)
        self.marker_dir = marker_dir
        self.delay = delay

    async def __call__(self, task: EvalTask) -> dict[str, Any]:
        a, b = task.payload["a"], task.payload["b"]
        if self.marker_dir:
            (Path(self.marker_dir) / f"{task.system}-{task.id}-{time.time_ns()}").touch()
        if self.delay:
            time.sleep(self.delay)
        result = await self.agent.run(f"{a}+{b}")
        correct = result.output.value == a + b
        return {"metrics": {"accuracy": float(correct), "seconds": 0.0}, "answer": result.output.value}


def tasks(n: int = 20) -> list[EvalTask]:
    return [
        EvalTask(
            id=f"q{i}",
            system=system,
            group="even" if i % 2 == 0 else "odd",
            payload={"a": i, "b": 3 * i},
            seed=i,
        )
        for i in range(n)
        for system in ("agent",)
    ]


def make_runner(marker_dir: str | None = None, delay: float = 0.0) -> AdditionRunner:
    return AdditionRunner(marker_dir, delay)


if __name__ == "__main__":
    out, marker_dir, resume = Path(sys.argv[1]), sys.argv[2], sys.argv[3] == "resume"
    run_eval(
        tasks(),
        lambda: make_runner(marker_dir, delay=0.15),
        EvalConfig(out=out, metrics=("accuracy",), resume=resume, concurrency=1, quiet=True, chart=False),
    )
