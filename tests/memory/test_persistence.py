"""Persistence: reopen, saved/stale index handling, and SIGKILL during writes never loses acked items."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from goalgraph.memory import IndexSettings, MemoryStore

WRITER = Path(__file__).with_name("_crash_writer.py")


def test_reopen_keeps_items_and_uses_saved_index(tmp_path: Path) -> None:
    with MemoryStore.open(tmp_path, embedder="hash:32") as store:
        store.add(("a",), "x", text="apples are red", timestamp="2024-01-01", metadata={"m": 1})
        store.put(("b",), "y", {"text": "bananas are yellow"})
        store.delete(("b",), "y")
        store.put(("b",), "z", {"text": "blueberries are blue"})
    assert (tmp_path / "index.faiss").exists()
    store = MemoryStore.open(tmp_path, embedder="hash:32")
    assert len(store) == 2 and store.get(("b",), "y") is None
    hit = store.query("red apples", k=1)[0]
    assert hit.key == "x" and hit.metadata == {"m": 1} and hit.timestamp is not None
    # a write after the saved index makes it stale: the next open rebuilds from SQLite
    store.add(("a",), "w", text="watermelons are green")
    store._db.conn.close()  # simulate a crash: no flush
    reopened = MemoryStore.open(tmp_path, embedder="hash:32")
    assert reopened.query("green watermelons", k=1)[0].key == "w"
    reopened.close()


def test_reopen_large_store_adopts_hnsw(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    vecs = rng.standard_normal((1500, 32)).astype(np.float32)
    settings = IndexSettings(hnsw_threshold=1000)
    with MemoryStore.open(tmp_path, embedder="hash:32", settings=settings) as store:
        store.add_many(
            {"namespace": ("v",), "key": str(i), "text": f"v{i}", "vector": v} for i, v in enumerate(vecs)
        )
        store.delete(("v",), "0")
        before = [h.key for h in store.query(vector=vecs[5], mode="dense", k=5)]
    store = MemoryStore.open(tmp_path, embedder="hash:32", settings=settings)
    assert store._vindex is not None and store._vindex.kind == "hnsw" and store._vindex.n_dead == 1
    assert [h.key for h in store.query(vector=vecs[5], mode="dense", k=5)] == before
    store.close()


def test_reopen_scan_store_adopts_the_saved_codes_and_migrates_the_old_float16_scan(tmp_path: Path) -> None:
    import faiss

    rng = np.random.default_rng(2)
    vecs = rng.standard_normal((1500, 32)).astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    settings = IndexSettings(hnsw_threshold=1000, large_index="scan")
    with MemoryStore.open(tmp_path, embedder="hash:32", settings=settings) as store:
        store.add_many(
            {"namespace": ("v",), "key": str(i), "text": f"v{i}", "vector": v} for i, v in enumerate(vecs)
        )
        store.delete(("v",), "5")
        before = [h.key for h in store.query(vector=vecs[5], mode="dense", k=5)]
    assert "5" not in before and before[0] != "5"
    store = MemoryStore.open(tmp_path, embedder="hash:32", settings=settings)
    index = store._vindex
    assert index is not None and index.kind == "scan" and index.n_dead == 1
    assert isinstance(index._index, faiss.IndexRefine)
    assert [h.key for h in store.query(vector=vecs[5], mode="dense", k=5)] == before
    # An index saved by the earlier scan layout (ID-mapped float16 codes, deleted ids removed) is rebuilt.
    old = faiss.IndexIDMap2(
        faiss.IndexScalarQuantizer(32, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    )
    alive = index.alive[: index.size].copy()
    old.add_with_ids(index.vectors[: index.size][alive], np.flatnonzero(alive).astype(np.int64))
    path = str(tmp_path / "old.faiss")
    faiss.write_index(old, path)
    index.load(path, index.vectors[: index.size].copy(), alive, "scan", 64)
    assert isinstance(index._index, faiss.IndexRefine) and index.n_dead == 1
    assert [h.key for h in store.query(vector=vecs[5], mode="dense", k=5)] == before
    store.close()


def test_wrong_embedder_dimension_is_a_clear_error(tmp_path: Path) -> None:
    with MemoryStore.open(tmp_path, embedder="hash:32") as store:
        store.add(("a",), "x", text="hello")
    try:
        MemoryStore.open(tmp_path, embedder="hash:16")
    except ValueError as error:
        assert "embedder" in str(error) and "32" in str(error)
    else:
        raise AssertionError("expected a dimension error")


def test_sigkill_during_writes_loses_no_acknowledged_item(tmp_path: Path) -> None:
    rng = random.Random(7)
    acked: set[str] = set()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for round_ in range(20):
        child = subprocess.Popen(
            [sys.executable, str(WRITER), str(tmp_path), str(round_)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert child.stdout is not None
        # wait for the first ack so the kill lands mid-stream, then kill at a random moment
        line = child.stdout.readline()
        time.sleep(rng.uniform(0.0, 0.3))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        for text in [line, *out.splitlines()]:
            if text.startswith("ACK "):
                acked.update(text[4:].split())
        store = MemoryStore.open(tmp_path, embedder="hash:32")
        missing = [key for key in acked if store.get(("crash",), key) is None]
        assert not missing, (round_, missing[:5])
        some = next(iter(acked))
        hits = store.query(f"memory {some} text", mode="lexical", k=3)
        assert hits and hits[0].key == some
        assert store.query(f"memory {some} text", mode="dense", k=1)
        store._db.conn.close()
    assert len(acked) >= 20 * 50
