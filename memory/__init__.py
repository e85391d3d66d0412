"""Shared agent memory: a LangGraph `BaseStore` over FAISS (GPU when present) + BM25 + event time.

store = MemoryStore.open(".goalgraph/memory")           # or MemoryStore() in memory; default_store()
store.add(("user", "1"), text="Alice moved to Paris", timestamp="2023-05-01")
hits = store.query("where does Alice live", namespace=("user",), mode="hybrid", k=5)
"""

from __future__ import annotations

import os
import threading

from ._embed import (
    CallableEmbedder,
    Embedder,
    HashEmbedder,
    OpenAIEmbedder,
    SentenceTransformerEmbedder,
    make_embedder,
    minilm_path,
)
from ._index import IndexSettings
from ._records import MemoryHit
from ._sharded import ShardedStore, stable_shard
from ._store import MemoryStore, SearchMode
from ._tools import Memory, Recalled, Remembered, memory_tools

__all__ = [
    "CallableEmbedder",
    "Embedder",
    "HashEmbedder",
    "IndexSettings",
    "Memory",
    "MemoryHit",
    "MemoryStore",
    "OpenAIEmbedder",
    "Recalled",
    "Remembered",
    "SearchMode",
    "SentenceTransformerEmbedder",
    "ShardedStore",
    "default_store",
    "make_embedder",
    "memory_tools",
    "minilm_path",
    "stable_shard",
]

_default: MemoryStore | None = None
_default_lock = threading.Lock()


def default_store() -> MemoryStore:
    """The process-wide store: persisted under `$GOALGRAPH_MEMORY_DIR` when set, else in memory (MiniLM)."""
    global _default
    with _default_lock:
        if _default is None:
            directory = os.environ.get("GOALGRAPH_MEMORY_DIR")
            _default = MemoryStore.open(directory) if directory else MemoryStore()
        return _default
