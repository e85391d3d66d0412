"""The `openai:` backend against `goalgraph llm serve`, started here: a real HTTP round trip, a real model."""

from __future__ import annotations

import asyncio

import httpx
from pydantic import BaseModel, Field
from pydantic_ai import Agent

from goalgraph.llm import model
from goalgraph.tools import tool


class Capital(BaseModel):
    city: str = Field(max_length=30)
    country: str = Field(max_length=30)


def test_models_route(llm_server_url: str) -> None:
    body = httpx.get(f"{llm_server_url}/models").json()
    assert body["data"][0]["id"] == "local"


def test_typed_output_over_http(llm_server_url: str) -> None:
    agent = Agent(model(f"openai:local@{llm_server_url}"), output_type=Capital)
    result = agent.run_sync("What is the capital of Italy?", model_settings={"max_tokens": 48})
    assert isinstance(result.output, Capital)


def test_a_repeated_prompt_reports_its_prefix_as_cached(llm_server_url: str) -> None:
    agent = Agent(model(f"openai:local@{llm_server_url}"), system_prompt="You are a terse geography tutor.")
    question = "Name the river that flows through Paris, the capital city of France."
    runs = [agent.run_sync(question, model_settings={"max_tokens": 8}).usage for _ in range(2)]
    # The second request shares all but its last prompt token with the first: the server reads it from cache
    # and says so in OpenAI's `prompt_tokens_details.cached_tokens`, which pydantic-ai reports.
    assert 0 < runs[1].cache_read_tokens < runs[1].input_tokens


def test_one_model_serves_many_event_loops(llm_server_url: str) -> None:
    # model(spec) is cached per process: its kept-alive connections must not tie it to the first loop.
    agent = Agent(model(f"openai:local@{llm_server_url}"))
    replies = [asyncio.run(agent.run("Say hi", model_settings={"max_tokens": 4})).output for _ in range(2)]
    replies.append(agent.run_sync("Say hi", model_settings={"max_tokens": 4}).output)
    assert all(isinstance(reply, str) and reply for reply in replies)


def test_tool_call_over_http(llm_server_url: str) -> None:
    seen: list[str] = []

    @tool
    def weather(city: str) -> str:
        """Today's weather in a city."""
        seen.append(city)
        return "sunny"

    class Report(BaseModel):
        summary: str = Field(max_length=60)

    agent = Agent(
        model(f"openai:local@{llm_server_url}"),
        output_type=Report,
        tools=[weather.as_pydantic_ai()],
        system_prompt="Call the weather tool for the city first, then report.",
    )
    result = agent.run_sync("How is the weather in Rome?", model_settings={"max_tokens": 48})
    assert seen and all(isinstance(c, str) for c in seen)
    assert isinstance(result.output, Report)


def test_bad_requests_get_clear_errors(llm_server_url: str) -> None:
    response = httpx.post(f"{llm_server_url}/chat/completions", content=b"{not json")
    assert response.status_code == 400 and "not JSON" in response.json()["error"]["message"]
    response = httpx.post(f"{llm_server_url}/chat/completions", json={"model": "local"})
    assert response.status_code == 400 and "messages" in response.json()["error"]["message"]
