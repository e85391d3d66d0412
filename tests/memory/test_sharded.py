"""ShardedStore: namespaces routed to shards, fan-out search merged by score, a LangGraph graph on top."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TypedDict

import pytest
from langgraph.graph import END, START, StateGraph
from langgraph.store.base import BaseStore

from goalgraph.memory import MemoryStore, ShardedStore, stable_shard

INDEX = {"dims": 64, "fields": ["text"]}
USERS = [f"user{i}" for i in range(12)]


def _shards(n: int, tmp_path: Path | None = None) -> list[MemoryStore]:
    if tmp_path is None:
        return [MemoryStore(embedder="hash:64", index=INDEX) for _ in range(n)]  # type: ignore[arg-type]
    return [MemoryStore.open(tmp_path / f"shard{i}", embedder="hash:64", index=INDEX) for i in range(n)]  # type: ignore[arg-type]


def test_stable_shard_is_deterministic_and_spreads() -> None:
    assert stable_shard(("user3",), 4) == stable_shard(("user3",), 4)
    assert len({stable_shard((u,), 4) for u in USERS}) > 1


def test_each_namespace_lives_in_exactly_one_shard() -> None:
    shards = _shards(3)
    store = ShardedStore(shards, depth=1)
    for user in USERS:
        store.put((user, "facts"), "home", {"text": f"{user} lives in town {user[-1]}"})
    for user in USERS:
        holders = [s for s in shards if s.get((user, "facts"), "home") is not None]
        assert holders == [store.shard_of((user, "facts"))]
        item = store.get((user, "facts"), "home")
        assert item is not None and item.value["text"].startswith(user)
    assert sum(len(s) for s in shards) == len(USERS)
    store.delete((USERS[0], "facts"), "home")
    assert store.get((USERS[0], "facts"), "home") is None


def test_search_inside_a_prefix_and_across_all_shards_matches_one_store() -> None:
    shards = _shards(3)
    sharded = ShardedStore(shards, depth=1)
    single = MemoryStore(embedder="hash:64", index=INDEX)  # type: ignore[arg-type]
    for user in USERS:
        for n, fact in enumerate(["likes green tea", "owns a red bicycle", "moved to Lisbon in May"]):
            for target in (sharded, single):
                target.put((user, "facts"), f"f{n}", {"text": f"{user} {fact}"})
    # Confined to one routing prefix: one shard answers, the same as one store would.
    local = sharded.search(("user5",), query="bicycle", limit=2)
    assert [h.key for h in local] == [h.key for h in single.search(("user5",), query="bicycle", limit=2)]
    assert all(h.namespace[0] == "user5" for h in local)
    # Across everything: every shard asked, merged by score, paged after the merge.
    wide = sharded.search((), query="Lisbon", limit=5, offset=2)
    expected = single.search((), query="Lisbon", limit=5, offset=2)
    assert [h.score for h in wide] == pytest.approx([h.score for h in expected])
    assert sharded.list_namespaces(limit=100) == single.list_namespaces(limit=100)
    assert sharded.list_namespaces(limit=3, offset=3) == single.list_namespaces(limit=3, offset=3)


def test_async_batch_and_a_compiled_graph_use_the_sharded_store() -> None:
    store = ShardedStore(_shards(2), depth=1)

    class State(TypedDict, total=False):
        user: str
        fact: str
        answer: str

    def write(state: State, *, store: BaseStore) -> State:
        store.put((state["user"], "facts"), "latest", {"text": state["fact"]})
        return {}

    async def read(state: State, *, store: BaseStore) -> State:
        hits = await store.asearch((state["user"],), query="where does the user live", limit=1)
        return {"answer": hits[0].value["text"] if hits else "unknown"}

    builder = StateGraph(State)
    builder.add_node("write", write)
    builder.add_node("read", read)
    builder.add_edge(START, "write")
    builder.add_edge("write", "read")
    builder.add_edge("read", END)
    graph = builder.compile(store=store)
    for user, city in [("ana", "Lisbon"), ("bo", "Oslo"), ("cy", "Lima")]:
        out = asyncio.run(graph.ainvoke({"user": user, "fact": f"the user lives in {city}"}))
        assert out["answer"] == f"the user lives in {city}"


def test_persistent_shards_reopen_with_the_same_routing(tmp_path: Path) -> None:
    store = ShardedStore(_shards(3, tmp_path), depth=1)
    for user in USERS:
        store.put((user,), "k", {"text": user})
    for shard in store.shards:
        shard.close()  # type: ignore[attr-defined]
    reopened = ShardedStore(_shards(3, tmp_path), depth=1)
    assert all(reopened.get((user,), "k") is not None for user in USERS)


def test_bad_configuration_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="at least one store"):
        ShardedStore([])
    with pytest.raises(ValueError, match="depth"):
        ShardedStore(_shards(1), depth=0)
    broken = ShardedStore(_shards(2), route=lambda prefix, n: 7)
    with pytest.raises(ValueError, match="shard 7"):
        broken.put(("a",), "k", {"text": "x"})
