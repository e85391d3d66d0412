"""MemoryStore behaves like LangGraph's InMemoryStore for the BaseStore operations."""

from __future__ import annotations

import asyncio
import time

import pytest
from langgraph.store.base import BaseStore, GetOp, ListNamespacesOp, MatchCondition, PutOp, SearchOp

from goalgraph.memory import MemoryStore


@pytest.fixture
def store() -> MemoryStore:
    return MemoryStore(embedder="hash:64", index={"dims": 64, "fields": ["text"]})


def test_put_get_update_delete(store: MemoryStore) -> None:
    store.put(("users", "1"), "a", {"text": "likes tea", "n": 1})
    item = store.get(("users", "1"), "a")
    assert item is not None and item.value == {"text": "likes tea", "n": 1}
    assert item.namespace == ("users", "1") and item.key == "a"
    created = item.created_at
    time.sleep(0.01)
    store.put(("users", "1"), "a", {"text": "likes coffee", "n": 2})
    updated = store.get(("users", "1"), "a")
    assert updated is not None and updated.value["n"] == 2
    assert updated.created_at == created and updated.updated_at > created
    assert [h.key for h in store.search(("users",), query="coffee")] == ["a"]
    store.delete(("users", "1"), "a")
    assert store.get(("users", "1"), "a") is None
    assert store.search(("users",), query="coffee") == []
    assert store.get(("nobody",), "x") is None


def test_search_filter_query_prefix_and_pagination(store: MemoryStore) -> None:
    for i in range(12):
        store.put(
            ("docs", "en" if i % 2 else "fr"),
            f"d{i}",
            {"text": f"document {i} about cats", "rank": i, "tag": {"kind": "x" if i < 6 else "y"}},
        )
    store.put(("other",), "o", {"text": "cats everywhere", "rank": 100})
    everything = store.search(("docs",), limit=100)
    assert len(everything) == 12 and all(h.score is None for h in everything)
    assert [h.key for h in store.search(("docs", "en"), limit=100)] == [f"d{i}" for i in range(1, 12, 2)]
    # equality, nested equality and $-operators, as InMemoryStore
    assert {h.key for h in store.search(("docs",), filter={"rank": 3})} == {"d3"}
    assert {h.key for h in store.search(("docs",), filter={"tag": {"kind": "y"}}, limit=100)} == {
        f"d{i}" for i in range(6, 12)
    }
    assert {h.key for h in store.search(("docs",), filter={"rank": {"$gte": 9}})} == {"d9", "d10", "d11"}
    assert {h.key for h in store.search(("docs",), filter={"rank": {"$gt": 2, "$lt": 5}})} == {"d3", "d4"}
    assert len(store.search(("docs",), filter={"rank": {"$ne": 0}}, limit=100)) == 11
    # query: scored, ranked, restricted to the prefix and filter
    hits = store.search(("docs",), query="document 7 about cats", limit=3)
    assert (
        hits[0].key == "d7" and hits[0].score is not None and hits[0].score >= hits[1].score >= hits[2].score
    )
    assert all(
        h.namespace[0] == "docs" for h in store.search((), query="cats", limit=13)[:12] if h.key != "o"
    )
    assert len(store.search((), query="cats", limit=100)) == 13
    filtered = store.search(("docs",), query="cats", filter={"rank": {"$lt": 4}}, limit=10)
    assert {h.key for h in filtered} == {"d0", "d1", "d2", "d3"}
    # pagination: offset + limit partition the ranking
    page1 = store.search(("docs",), query="cats", limit=5)
    page2 = store.search(("docs",), query="cats", limit=5, offset=5)
    full = store.search(("docs",), query="cats", limit=10)
    assert [h.key for h in page1 + page2] == [h.key for h in full]
    assert [h.key for h in store.search(("docs",), limit=3, offset=2)] == [h.key for h in everything[2:5]]


def test_list_namespaces(store: MemoryStore) -> None:
    for ns in [
        ("a", "b", "c"),
        ("a", "b", "d", "e"),
        ("a", "b", "d", "i"),
        ("a", "b", "f"),
        ("a", "c", "f"),
        ("b", "a", "f"),
    ]:
        store.put(ns, "k", {"text": "x"})
    assert len(store.list_namespaces()) == 6
    assert store.list_namespaces(prefix=("a", "b")) == [
        ("a", "b", "c"),
        ("a", "b", "d", "e"),
        ("a", "b", "d", "i"),
        ("a", "b", "f"),
    ]
    assert store.list_namespaces(suffix=("f",)) == [("a", "b", "f"), ("a", "c", "f"), ("b", "a", "f")]
    assert store.list_namespaces(prefix=("a", "*", "f")) == [("a", "b", "f"), ("a", "c", "f")]
    assert store.list_namespaces(max_depth=2) == [("a", "b"), ("a", "c"), ("b", "a")]
    assert store.list_namespaces(prefix=("a",), suffix=("f",)) == [("a", "b", "f"), ("a", "c", "f")]
    assert store.list_namespaces(limit=2, offset=1) == [("a", "b", "d", "e"), ("a", "b", "d", "i")]


def test_batch_mixes_ops_reads_see_state_before_puts(store: MemoryStore) -> None:
    store.put(("n",), "old", {"text": "old value"})
    results = store.batch(
        [
            PutOp(("n",), "new", {"text": "new value"}),
            GetOp(("n",), "old"),
            GetOp(("n",), "new"),
            SearchOp(("n",), None, 10, 0, "value"),
            ListNamespacesOp(match_conditions=(MatchCondition("prefix", ("n",)),)),
            PutOp(("n",), "old", None),
        ]
    )
    assert results[0] is None and results[5] is None
    assert results[1] is not None and results[1].value == {"text": "old value"}
    assert results[2] is None  # as in InMemoryStore, reads run before the batch's puts
    assert [h.key for h in results[3]] == ["old"]
    assert results[4] == [("n",)]
    assert store.get(("n",), "old") is None and store.get(("n",), "new") is not None


def test_index_false_and_per_put_fields(store: MemoryStore) -> None:
    store.put(("p",), "plain", {"text": "no vector here"}, index=False)
    store.put(("p",), "title", {"title": "zebra stripes", "text": "unrelated"}, index=["title"])
    assert store.search(("p",), query="zebra")[0].key == "title"
    assert store.get(("p",), "plain") is not None


def test_bad_input_names_the_field(store: MemoryStore) -> None:
    with pytest.raises(ValueError, match="value for key 'k'"):
        store.put(("p",), "k", {"x": object()})
    with pytest.raises(ValueError, match="text"):
        store.add(("p",), "k", text="   ")
    with pytest.raises(ValueError, match="vector: expected 64 dimensions, got 3"):
        store.add(("p",), "k", text="x", vector=[1.0, 0.0, 0.0])
    with pytest.raises(ValueError, match="metadata"):
        store.add(("p",), "k", text="x", metadata={"bad": {1, 2}})
    with pytest.raises(ValueError, match="timestamp"):
        store.add(("p",), "k", text="x", timestamp="not a date")
    with pytest.raises(ValueError, match="where"):
        store.query("x", where={"a": {"$regex": "x"}})
    with pytest.raises(ValueError, match="mode"):
        store.query("x", mode="fuzzy")  # type: ignore[arg-type]


async def test_async_variants(store: MemoryStore) -> None:
    await asyncio.gather(
        *(store.aput(("a", str(i % 3)), f"k{i}", {"text": f"async item {i}"}) for i in range(30))
    )
    assert (await store.aget(("a", "1"), "k4")) is not None
    hits = await store.asearch(("a",), query="async item 7", limit=5)
    assert hits[0].key == "k7"
    assert await store.alist_namespaces(prefix=("a",)) == [("a", "0"), ("a", "1"), ("a", "2")]
    await store.adelete(("a", "1"), "k4")
    assert (await store.aget(("a", "1"), "k4")) is None
    assert isinstance(store, BaseStore)
