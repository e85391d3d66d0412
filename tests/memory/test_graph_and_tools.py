"""A compiled LangGraph graph uses MemoryStore through `store=`; remember/recall typed tools."""

from __future__ import annotations

from typing import TypedDict

from langgraph.config import get_store
from langgraph.graph import END, START, StateGraph
from langgraph.store.base import BaseStore

from goalgraph.memory import MemoryStore, Recalled, Remembered, memory_tools


class State(TypedDict, total=False):
    user: str
    fact: str
    answer: str


def write_node(state: State, *, store: BaseStore) -> State:
    store.put(("facts", state["user"]), "latest", {"text": state["fact"]})
    return {}


def read_node(state: State) -> State:
    store = get_store()
    hits = store.search(("facts", state["user"]), query="where does the user live", limit=1)
    return {"answer": hits[0].value["text"] if hits else "unknown"}


def test_compiled_graph_reads_and_writes_through_store() -> None:
    store = MemoryStore(embedder="hash:64", index={"dims": 64, "fields": ["text"]})
    builder = StateGraph(State)
    builder.add_node("write", write_node)
    builder.add_node("read", read_node)
    builder.add_edge(START, "write")
    builder.add_edge("write", "read")
    builder.add_edge("read", END)
    graph = builder.compile(store=store)
    out = graph.invoke({"user": "u1", "fact": "the user lives in Lisbon"})
    assert out["answer"] == "the user lives in Lisbon"
    assert store.get(("facts", "u1"), "latest") is not None


async def test_compiled_graph_async() -> None:
    store = MemoryStore(embedder="hash:64")
    builder = StateGraph(State)
    builder.add_node("write", write_node)
    builder.add_node("read", read_node)
    builder.add_edge(START, "write")
    builder.add_edge("write", "read")
    graph = builder.compile(store=store)
    out = await graph.ainvoke({"user": "u2", "fact": "the user lives in Oslo"})
    assert out["answer"] == "the user lives in Oslo"


async def test_remember_and_recall_tools() -> None:
    store = MemoryStore(embedder="hash:64")
    remember, recall = memory_tools(store, ("agent", "notes"))
    assert remember.name == "remember" and recall.name == "recall"
    ack = await remember.acall(
        {"text": "The meeting with Dana moved to Friday", "timestamp": "2024-03-01T10:00:00"}
    )
    assert isinstance(ack, Remembered) and ack.key
    remember.call(
        {
            "text": "Bought oat milk and bread",
            "timestamp": "2024-02-01T09:00:00",
            "metadata": {"kind": "shopping"},
        }
    )
    found = await recall.acall({"query": "when is the meeting with Dana", "k": 1})
    assert isinstance(found, Recalled) and found.memories[0].text == "The meeting with Dana moved to Friday"
    windowed = recall.call({"query": "meeting", "start": "2024-01-15T00:00:00", "end": "2024-02-15T00:00:00"})
    assert [m.text for m in windowed.memories] == ["Bought oat milk and bread"]
    assert windowed.memories[0].metadata == {"kind": "shopping"}
    assert store.query("Dana", namespace=("agent", "notes"), k=1)[0].key == ack.key
