"""Crash and resume: an agent killed with SIGKILL mid-graph resumes from its SQLite checkpoint without
repeating completed side effects, and the memory store and trace store come back whole.

The agent runs in a child process (`_crash_agent.py`): the GOAP executor, or a plain LangGraph graph of
typed-tool nodes, both with LangGraph's SqliteSaver. The third tool blocks while writing to both
stores; the parent kills the child there, checks every store, then resumes the run in a new process.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from goalgraph.memory import MemoryStore
from goalgraph.traces import TraceStore

CHILD = Path(__file__).with_name("_crash_agent.py")
REPO = Path(__file__).resolve().parents[2]


def _start(work: Path, kind: str, mode: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, str(CHILD), str(work), kind, mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )


def _integrity(path: Path) -> str:
    connection = sqlite3.connect(path)
    try:
        return str(connection.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        connection.close()


def _effects(work: Path) -> Counter[str]:
    return Counter((work / "effects.log").read_text(encoding="utf-8").split())


@pytest.mark.parametrize("kind", ["goap", "langgraph"])
def test_sigkill_mid_graph_then_resume(tmp_path: Path, kind: str) -> None:
    child = _start(tmp_path, kind, "first")
    assert child.stdout is not None
    memory_acks: list[str] = []
    span_acks: list[str] = []
    deadline = time.time() + 120
    blocked = False
    # Read until the third tool is blocked and both stores have acknowledged a few writes.
    for line in child.stdout:
        blocked = blocked or line.startswith("BLOCKING")
        if line.startswith("ACK-MEMORY "):
            memory_acks.append(line.split()[1])
        elif line.startswith("ACK-SPAN "):
            span_acks.append(line.split()[1])
        if (blocked and len(memory_acks) >= 5 and len(span_acks) >= 5) or time.time() > deadline:
            break
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=30)
    assert blocked, child.stderr.read() if child.stderr else ""
    assert child.returncode == -signal.SIGKILL
    assert _effects(tmp_path) == {"book_flight": 1, "book_hotel": 1, "send_confirmation:start": 1}

    # Every store survives: no corruption, and every acknowledged write is there.
    for db in (tmp_path / "memory" / "items.sqlite", tmp_path / "traces.db", tmp_path / "checkpoints.db"):
        assert _integrity(db) == "ok", db
    with MemoryStore.open(tmp_path / "memory", embedder="hash:32") as store:
        assert all(store.get(("notes",), key) is not None for key in memory_acks)
        assert (
            store.get(("bookings",), "flight") is not None and store.get(("bookings",), "hotel") is not None
        )
    trace_store = TraceStore(tmp_path / "traces.db", create=False)
    try:
        assert all(trace_store.span(span_id) is not None for span_id in span_acks)
        killed = trace_store.run("last")
        names = {s["name"]: s["status"] for s in killed["spans"]}
        assert names["execute_tool book_flight"] == "UNSET" and names["execute_tool book_hotel"] == "UNSET"
        assert killed["status"] == "RUNNING"  # the killed run shows as still running, not as lost
    finally:
        trace_store.close()

    # Resume in a fresh process: the completed bookings are not made again.
    resumed = _start(tmp_path, kind, "resume")
    out, err = resumed.communicate(timeout=180)
    assert resumed.returncode == 0, err[-3000:]
    assert 'RESULT {"confirmation": {"text": "booked Hotel GG-LIS"}}' in out
    assert _effects(tmp_path) == {
        "book_flight": 1,
        "book_hotel": 1,
        "send_confirmation:start": 2,  # the step in flight at the kill runs again (at-least-once)
        "send_confirmation": 1,
    }
