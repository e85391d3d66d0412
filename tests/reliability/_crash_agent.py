"""Child process of the crash test: a trip-booking agent whose tools have side effects.

    python _crash_agent.py WORKDIR goap|langgraph first    # blocks in the third tool until SIGKILLed
    python _crash_agent.py WORKDIR goap|langgraph resume   # resumes the same thread from the checkpoint

Every side effect appends a line to WORKDIR/effects.log (fsynced), so the parent can count how often each
tool really ran. While blocked, the third tool keeps writing memory items and spans and prints an ACK
for each write once it is durable, so the kill lands in the middle of writes to both stores.
"""

from __future__ import annotations

import itertools
import json
import os
import sqlite3
import sys
import threading
from pathlib import Path
from typing import Any, TypedDict

from langgraph.checkpoint.sqlite import SqliteSaver
from pydantic import BaseModel

from goalgraph import traces
from goalgraph.memory import MemoryStore
from goalgraph.planners import build_executor, initial_state, outcome
from goalgraph.tools import tool

WORK = Path(sys.argv[1])
KIND, MODE = sys.argv[2], sys.argv[3]
THREAD = {"configurable": {"thread_id": f"trip-{KIND}"}}

traces.setup(WORK / "traces.db", settings=traces.TraceSettings(batch_delay_ms=50, running_flush_s=0.1))
store = MemoryStore.open(WORK / "memory", embedder="hash:32")
connection = sqlite3.connect(WORK / "checkpoints.db", check_same_thread=False)
saver = SqliteSaver(connection)


class Trip(BaseModel):
    city: str


class Flight(BaseModel):
    code: str


class Hotel(BaseModel):
    name: str


class Confirmation(BaseModel):
    text: str


def effect(name: str) -> None:
    """Record one real execution of a side effect, durably."""
    with (WORK / "effects.log").open("a", encoding="utf-8") as log:
        log.write(name + "\n")
        log.flush()
        os.fsync(log.fileno())


def keep_writing_until_killed() -> None:
    """Write memory items and spans forever, printing an ACK once each is durable."""
    for n in itertools.count():
        key = f"note-{n}"
        store.add(("notes",), key, text=f"note number {n} about the trip")
        print(f"ACK-MEMORY {key}", flush=True)
        with traces.start_span(f"heartbeat {n}", kind=traces.SpanKind.CHAIN) as span:
            span_id = format(span.get_span_context().span_id, "016x")
        traces.force_flush()
        print(f"ACK-SPAN {span_id}", flush=True)


@tool
def book_flight(trip: Trip) -> Flight:
    """Book a flight (a side effect)."""
    effect("book_flight")
    store.add(("bookings",), "flight", text=f"flight to {trip.city}")  # a fixed key: idempotent
    return Flight(code=f"GG-{trip.city[:3].upper()}")


@tool
def book_hotel(flight: Flight) -> Hotel:
    """Book a hotel (a side effect)."""
    effect("book_hotel")
    store.add(("bookings",), "hotel", text=f"hotel for {flight.code}")
    return Hotel(name=f"Hotel {flight.code}")


@tool
def send_confirmation(hotel: Hotel) -> Confirmation:
    """Send the confirmation (a side effect); in the first run it never returns."""
    effect("send_confirmation:start")
    if MODE == "first":
        print("BLOCKING", flush=True)
        keep_writing_until_killed()
    effect("send_confirmation")
    return Confirmation(text=f"booked {hotel.name}")


class TripState(TypedDict, total=False):
    trip: Trip
    flight: Flight
    hotel: Hotel
    confirmation: Confirmation


def build() -> Any:
    if KIND == "goap":
        return build_executor([book_flight, book_hotel, send_confirmation], Confirmation, checkpointer=saver)
    from langgraph.graph import END, START, StateGraph

    builder = StateGraph(TripState)
    builder.add_node("book_flight", book_flight.as_node())
    builder.add_node("book_hotel", book_hotel.as_node())
    builder.add_node("send_confirmation", send_confirmation.as_node())
    builder.add_edge(START, "book_flight")
    builder.add_edge("book_flight", "book_hotel")
    builder.add_edge("book_hotel", "send_confirmation")
    builder.add_edge("send_confirmation", END)
    return builder.compile(checkpointer=saver)


def main() -> None:
    graph = build()
    start: Any = (
        None
        if MODE == "resume"
        else (initial_state(Trip(city="Lisbon")) if KIND == "goap" else {"trip": Trip(city="Lisbon")})
    )
    with traces.agent_run(f"trip-{KIND}-{MODE}"):
        # "sync": each step's checkpoint is on disk before the next step starts. LangGraph's default
        # ("async") writes it in the background, so a kill right after a side effect can repeat it.
        final = graph.invoke(start, THREAD, durability="sync")
    confirmation = (
        outcome(final).get(Confirmation)
        if KIND == "goap"
        else Confirmation.model_validate(final["confirmation"])
    )
    traces.shutdown()
    store.close()
    connection.close()
    print(
        "RESULT " + json.dumps({"confirmation": confirmation.model_dump() if confirmation else None}),
        flush=True,
    )


if __name__ == "__main__":
    threading.current_thread().name = f"crash-agent-{MODE}"
    main()
