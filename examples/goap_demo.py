"""GOAP demo: Question → SearchQueries → Documents → Answer; the preferred search fails, the executor replans.

Run: ``goalgraph demo goap`` or ``python examples/goap_demo.py``. No LLM needed: each step is a small
deterministic typed tool. The cheaper web search fails on its first try, so it is blacklisted and the
next planning round goes through the local index instead; both plans are printed.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from rich.console import Console

from goalgraph.planners import Done, build_executor, initial_state, outcome
from goalgraph.tools import tool


class Question(BaseModel):
    """What the user asks."""

    text: str = Field(description="The question.")


class SearchQueries(BaseModel):
    """Queries derived from the question."""

    queries: list[str] = Field(description="Search strings.")


class Documents(BaseModel):
    """Retrieved passages."""

    passages: list[str] = Field(description="Passage texts.")
    source: str = Field(description="Where they came from.")


class Answer(BaseModel):
    """The final answer."""

    text: str = Field(description="The answer.")
    source: str = Field(description="The source of its evidence.")


_CORPUS = {
    "goap": "Goal-oriented action planning searches for the cheapest action sequence reaching a goal.",
    "a*": "A* expands states in order of cost so far plus an admissible estimate of the cost to go.",
}
_attempts = {"web_search": 0}


@tool
def write_queries(question: Question) -> SearchQueries:
    """Turn the question into keyword queries."""
    words = [w.strip("?.,").lower() for w in question.text.split()]
    return SearchQueries(queries=[w for w in words if w in _CORPUS] or words[:2])


@tool(cost=1.0)
def web_search(queries: SearchQueries) -> Documents:
    """Search the web (cheap, but the network is down on the first try)."""
    _attempts["web_search"] += 1
    if _attempts["web_search"] == 1:
        raise ConnectionError("web search endpoint timed out")
    return Documents(passages=[_CORPUS.get(q, "") for q in queries.queries], source="web")


@tool(cost=3.0)
def local_search(queries: SearchQueries) -> Documents:
    """Search the local index (slower, always available)."""
    return Documents(passages=[_CORPUS[q] for q in queries.queries if q in _CORPUS], source="local index")


@tool
def compose_answer(documents: Documents) -> Answer:
    """Answer with the first passage."""
    return Answer(
        text=documents.passages[0] if documents.passages else "I don't know.", source=documents.source
    )


def main() -> Done:
    """Run the executor and print every distinct plan and the answer."""
    console = Console()
    graph = build_executor([write_queries, web_search, local_search, compose_answer], Answer)
    result = outcome(graph.invoke(initial_state(Question(text="What does GOAP do?"))))
    for number, plan in enumerate(result.distinct_plans(), 1):
        console.print(f"[bold]Plan {number}[/bold]")
        console.print(plan)
    for event in result.events:
        console.print(f"  {event.action}: {event.status} {event.reason}")
    if not isinstance(result, Done):
        console.print(f"[red]{result}[/red]")
        raise SystemExit(1)
    answer = result.get(Answer)
    assert answer is not None
    console.print(f"[green]Answer[/green] ({answer.source}): {answer.text}")
    return result


if __name__ == "__main__":
    main()
