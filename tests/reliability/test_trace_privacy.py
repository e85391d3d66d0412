"""Data handling of traces: with ``capture_content=False`` no prompt, message, tool argument, tool result
or state reaches the SQLite store (nor its full-text index), while the run's shape is still recorded.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic_ai import Agent
from pydantic_ai.messages import ModelResponse, TextPart, ToolCallPart

from goalgraph import traces
from goalgraph.llm import scripted
from goalgraph.planners import build_executor, initial_state, outcome
from goalgraph.tools import tool

PROMPT, ARGUMENT, RESULT, OUTPUT, SYSTEM = (
    f"secret-{w}-9d2c" for w in ("prompt", "arg", "result", "output", "system")
)


class Note(BaseModel):
    text: str


class Summary(BaseModel):
    text: str


@tool
def look_up(note: Note) -> Summary:
    """Look a note up."""
    return Summary(text=f"{RESULT} for {note.text}")


def _reply(messages: list[Any], info: Any) -> ModelResponse:
    if len(messages) == 1:
        return ModelResponse(parts=[ToolCallPart("look_up", {"text": ARGUMENT})])
    return ModelResponse(parts=[TextPart(OUTPUT)])


def _run_everything(db: Path, capture: bool) -> None:
    traces.setup(db, capture_content=capture, settings=traces.TraceSettings(batch_delay_ms=20))
    try:
        with traces.agent_run("private", input={"question": PROMPT}) as span:
            agent = Agent(scripted(_reply), system_prompt=SYSTEM, tools=[look_up.as_pydantic_ai()])
            answer = agent.run_sync(PROMPT).output
            done = outcome(build_executor([look_up], Summary).invoke(initial_state(Note(text=ARGUMENT))))
            traces.set_output(span, {"answer": answer, "done": done.model_dump(mode="json")})
    finally:
        traces.shutdown()


def _everything_stored(db: Path) -> str:
    """Every byte of text the store holds: spans, attributes, events, and the full-text index."""
    connection = sqlite3.connect(db)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        rows = connection.execute("SELECT name, attributes, events, status_message FROM spans").fetchall()
        fts = connection.execute("SELECT name, body FROM spans_fts").fetchall()
    finally:
        connection.close()
    return " ".join(str(v) for row in rows + fts for v in row) + db.read_bytes().decode("latin-1")


def test_capture_content_false_keeps_content_out_of_the_store(tmp_path: Path) -> None:
    shown, hidden = tmp_path / "shown.db", tmp_path / "hidden.db"
    _run_everything(shown, capture=True)
    _run_everything(hidden, capture=False)
    with_content, without = _everything_stored(shown), _everything_stored(hidden)
    for secret in (PROMPT, ARGUMENT, RESULT, OUTPUT, SYSTEM):
        assert secret in with_content, f"{secret} should be recorded when content capture is on"
        assert secret not in without, f"{secret} leaked into the store with capture_content=False"
    # The run's shape is still there: the same spans, by name.
    names = lambda db: sorted(r[0] for r in sqlite3.connect(db).execute("SELECT name FROM spans"))  # noqa: E731
    assert names(hidden) == names(shown) and "execute_tool look_up" in names(hidden)
