"""`MemoryStore`: a LangGraph `BaseStore` over FAISS + BM25 + event time, optionally persisted to SQLite."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from langgraph.store.base import (
    BaseStore,
    GetOp,
    IndexConfig,
    Item,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
)
from langgraph.store.base.embed import get_text_at_path, tokenize_path

from goalgraph.traces import SpanKind, start_span

from . import _persist
from ._embed import Embedder, make_embedder
from ._filters import namespace_matches, to_epoch, validate_filter
from ._index import IndexSettings, VectorIndex
from ._lexical import LexicalIndex
from ._records import Columns, MemoryHit, Record
from ._search import SearchMixin, SearchMode
from ._sqlite import SqliteItems, dumps

__all__ = ["MemoryStore", "SearchMode"]


class _Write:
    """One validated put (or delete when `value` is None), ready to apply."""

    __slots__ = ("key", "metadata", "namespace", "text", "timestamp", "value", "vector")

    def __init__(
        self,
        namespace: tuple[str, ...],
        key: str,
        value: dict[str, Any] | None,
        text: str | None = None,
        timestamp: float | None = None,
        metadata: dict[str, Any] | None = None,
        vector: np.ndarray | None = None,
    ) -> None:
        self.namespace, self.key, self.value, self.text = namespace, key, value, text
        self.timestamp, self.metadata, self.vector = timestamp, metadata or {}, vector


class MemoryStore(SearchMixin, BaseStore):
    """Shared agent memory: LangGraph `BaseStore` with dense (FAISS), lexical (BM25) and hybrid search.

    Items have a namespace, key, JSON value, indexed text, an event timestamp (separate from
    created/updated) and metadata. In memory by default; `MemoryStore.open(dir)` persists to SQLite (WAL)
    plus a saved FAISS index. Thread-safe (one RLock); `abatch` runs `batch` in the default executor.

        store = MemoryStore(embedder="hash")
        store.add(("user", "1"), "k1", text="Alice moved to Paris", timestamp="2023-05-01")
        hits = store.query("where does Alice live", namespace=("user",), k=5)
    """

    def __init__(
        self,
        *,
        embedder: str | Callable[..., Any] | Embedder | None = None,
        index: IndexConfig | None = None,
        settings: IndexSettings | None = None,
        _db: SqliteItems | None = None,
    ) -> None:
        fields = list((index or {}).get("fields") or ["$"])
        if embedder is None and index is not None and index.get("embed") is not None:
            embedder = index["embed"]  # type: ignore[assignment]
        self.embedder: Embedder = make_embedder(embedder, dim=(index or {}).get("dims"))
        self.index_config = index
        self._fields = [f if f == "$" else tokenize_path(f) for f in fields]
        self.settings = settings or IndexSettings()
        self._lock = threading.RLock()
        self._records: dict[tuple[tuple[str, ...], str], Record] = {}
        self._ns_ids: dict[tuple[str, ...], int] = {}
        self._ns_list: list[tuple[str, ...]] = []
        self._cols = Columns()
        self._vindex: VectorIndex | None = None
        self._lexical = LexicalIndex()
        self._db = _db
        self._dir: Path | None = None
        dim = getattr(self.embedder, "_dim", None)
        if dim:
            self._vindex = VectorIndex(int(dim), self.settings)

    # ------------------------------------------------------------------ construction / persistence
    @classmethod
    def open(
        cls,
        directory: str | Path,
        *,
        embedder: str | Callable[..., Any] | Embedder | None = None,
        index: IndexConfig | None = None,
        settings: IndexSettings | None = None,
    ) -> MemoryStore:
        """Open (or create) a persistent store in `directory`; rebuilds the index if missing or stale."""
        path = Path(directory)
        if path.exists() and not path.is_dir():
            raise ValueError(f"directory: {path} exists and is not a directory")
        path.mkdir(parents=True, exist_ok=True)
        store = cls(embedder=embedder, index=index, settings=settings, _db=SqliteItems(path / "items.sqlite"))
        store._dir = path
        _persist.load(store, path)
        return store

    def flush(self) -> None:
        """Save the FAISS index next to the SQLite file so the next `open` skips the rebuild."""
        with self._lock:
            if self._db is not None and self._dir is not None:
                _persist.save(self, self._dir)

    def close(self) -> None:
        """Flush and close the SQLite connection (in-memory stores: no-op)."""
        with self._lock:
            if self._db is not None:
                self.flush()
                self._db.close()
                self._db = None

    def __enter__(self) -> MemoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._records)

    # ------------------------------------------------------------------ BaseStore
    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run Get/Search/ListNamespaces/Put ops; reads see the state before this batch's puts."""
        ops = list(ops)
        results: list[Result] = [None] * len(ops)
        writes: dict[tuple[tuple[str, ...], str], _Write] = {}
        put_ops = [op for op in ops if isinstance(op, PutOp)]
        prepared = self._prepare_puts(put_ops) if put_ops else []
        with self._lock:
            for i, op in enumerate(ops):
                if isinstance(op, GetOp):
                    record = self._records.get((tuple(op.namespace), str(op.key)))
                    results[i] = None if record is None else _as_item(record)
                elif isinstance(op, SearchOp):
                    results[i] = list[SearchItem](
                        self.query(
                            op.query,
                            namespace=tuple(op.namespace_prefix),
                            mode="dense",
                            k=op.limit,
                            offset=op.offset,
                            filter=op.filter,
                        )
                    )
                elif isinstance(op, ListNamespacesOp):
                    results[i] = self._list_namespaces(op)
                elif not isinstance(op, PutOp):
                    raise ValueError(f"ops[{i}]: unknown operation type {type(op).__name__}")
            for write in prepared:
                writes[(write.namespace, write.key)] = write  # last write to a key wins, as in InMemoryStore
            if writes:
                self._apply(list(writes.values()))
        return results

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """`batch` in the default executor, so concurrent agents never block the event loop."""
        ops = list(ops)
        return await asyncio.get_running_loop().run_in_executor(None, self.batch, ops)

    def _prepare_puts(self, ops: list[PutOp]) -> list[_Write]:
        writes: list[_Write] = []
        for op in ops:
            namespace = tuple(op.namespace)
            if op.value is None:
                writes.append(_Write(namespace, str(op.key), None))
                continue
            if not isinstance(op.value, Mapping):
                raise ValueError(
                    f"value for key {op.key!r}: expected a mapping, got {type(op.value).__name__}"
                )
            value = dict(op.value)
            dumps(value, f"value for key {op.key!r}")
            text = None
            if op.index is not False:
                fields = (
                    self._fields
                    if op.index is None
                    else [f if f == "$" else tokenize_path(f) for f in op.index]
                )
                parts = [t for path in fields for t in get_text_at_path(value, path) if t]
                text = "\n".join(parts) or None
            try:
                timestamp = to_epoch(value.get("timestamp"), f"value['timestamp'] for key {op.key!r}")
            except ValueError:
                timestamp = None  # a value's own "timestamp" field that is not a time is just data
            writes.append(_Write(namespace, str(op.key), value, text, timestamp))
        self._embed_writes(writes)
        return writes

    def _embed_writes(self, writes: list[_Write]) -> None:
        todo = [w for w in writes if w.value is not None and w.vector is None and w.text]
        if todo:
            vectors = self.embedder.embed([w.text for w in todo])  # type: ignore[misc]
            for w, v in zip(todo, vectors, strict=True):
                w.vector = v

    # ------------------------------------------------------------------ convenience API
    def add(
        self,
        namespace: Sequence[str],
        key: str | None = None,
        *,
        text: str,
        value: Mapping[str, Any] | None = None,
        timestamp: datetime | float | str | None = None,
        metadata: Mapping[str, Any] | None = None,
        vector: Sequence[float] | np.ndarray | None = None,
    ) -> str:
        """Store one memory; returns its key (a new UUID when `key` is None)."""
        return self.add_many(
            [
                {
                    "namespace": namespace,
                    "key": key,
                    "text": text,
                    "value": value,
                    "timestamp": timestamp,
                    "metadata": metadata,
                    "vector": vector,
                }
            ]
        )[0]

    def add_many(self, items: Iterable[Mapping[str, Any]]) -> list[str]:
        """Store many memories in one batch (one embedding call, one SQLite transaction); returns keys.

        Each item is a mapping with `namespace`, `text` and optionally `key`, `value`, `timestamp`,
        `metadata`, `vector` (a precomputed embedding of the store's dimension).
        """
        import uuid

        writes: list[_Write] = []
        for i, item in enumerate(items):
            where = f"items[{i}]"
            namespace = _check_namespace(item.get("namespace"), f"{where}.namespace")
            key = item.get("key") or uuid.uuid4().hex
            if not isinstance(key, str):
                raise ValueError(f"{where}.key: expected a string, got {type(key).__name__}")
            text = item.get("text")
            if not isinstance(text, str) or not text.strip():
                raise ValueError(f"{where}.text: must be a non-empty string")
            value = dict(item.get("value") or {"text": text})
            dumps(value, f"{where}.value")
            metadata = dict(item.get("metadata") or {})
            dumps(metadata, f"{where}.metadata")
            vector = item.get("vector")
            vec = None if vector is None else self._check_vector(vector, f"{where}.vector")
            writes.append(
                _Write(
                    namespace,
                    key,
                    value,
                    text,
                    to_epoch(item.get("timestamp"), f"{where}.timestamp"),
                    metadata,
                    vec,
                )
            )
        self._embed_writes(writes)
        with self._lock:
            self._apply(writes)
        return [w.key for w in writes]

    def query(
        self,
        text: str | None = None,
        *,
        vector: Sequence[float] | np.ndarray | None = None,
        namespace: Sequence[str] = (),
        mode: SearchMode = "hybrid",
        k: int = 10,
        offset: int = 0,
        time_range: tuple[Any, Any] | None = None,
        where: Mapping[str, Any] | None = None,
        filter: Mapping[str, Any] | None = None,
    ) -> list[MemoryHit]:
        """Search memories.

        `text` (embedded) or `vector` is the query; none lists items in insertion order. `mode`: "dense"
        (FAISS inner product), "lexical" (BM25, needs `text`) or "hybrid" (reciprocal-rank fusion of
        both; dense alone when only a vector is given). `namespace` is a prefix; `time_range`
        `(start, end)` keeps items whose event time is inside (either end may be None); `where` filters
        metadata and `filter` filters values, both with LangGraph's filter semantics ($eq, $ne, $gt ...).
        """
        if mode not in ("dense", "lexical", "hybrid"):
            raise ValueError(f"mode: expected 'dense', 'lexical' or 'hybrid', got {mode!r}")
        if k < 0 or offset < 0:
            raise ValueError(f"k/offset: must be >= 0 (got k={k}, offset={offset})")
        validate_filter(where, "where")
        validate_filter(filter, "filter")
        prefix = tuple(namespace)
        start = end = None
        if time_range is not None:
            start, end = (to_epoch(time_range[0], "time_range[0]"), to_epoch(time_range[1], "time_range[1]"))
        qvec = None if vector is None else self._check_vector(vector, "vector")
        if qvec is None and text and mode != "lexical" and self._vindex is not None and self._vindex.n_alive:
            qvec = self.embedder.embed_query(text)
        with start_span(
            "memory.search",
            kind=SpanKind.RETRIEVER,
            attributes={"retrieval.query": text, "retrieval.k": k, "memory.mode": mode},
        ) as span:
            with self._lock:
                hits = self._search(text, qvec, mode, prefix, start, end, where, filter, k, offset)
            if span.is_recording():
                span.set_attribute("retrieval.hits", len(hits))
        return hits

    # ------------------------------------------------------------------ internals
    def _check_vector(self, vector: Any, name: str) -> np.ndarray:
        arr = np.asarray(vector, dtype=np.float32).reshape(-1)
        dim = self._vindex.dim if self._vindex is not None else self.embedder.dim
        if arr.shape[0] != dim:
            raise ValueError(f"{name}: expected {dim} dimensions, got {arr.shape[0]}")
        norm = float(np.linalg.norm(arr))
        if not np.isfinite(norm) or norm == 0:
            raise ValueError(f"{name}: must be a finite, non-zero vector")
        return arr / norm

    def _ns_id(self, namespace: tuple[str, ...]) -> int:
        ns_id = self._ns_ids.get(namespace)
        if ns_id is None:
            ns_id = self._ns_ids[namespace] = len(self._ns_list)
            self._ns_list.append(namespace)
        return ns_id

    def _apply(self, writes: list[_Write]) -> None:
        """Persist then mirror a batch of writes (caller holds the lock)."""
        now = datetime.now(UTC)
        if self._db is not None:
            rows, deletes = [], []
            for w in writes:
                ns_json = json.dumps(list(w.namespace))
                if w.value is None:
                    deletes.append((ns_json, w.key))
                    continue
                old = self._records.get((w.namespace, w.key))
                created = old.created if old else now
                rows.append(
                    (
                        ns_json,
                        w.key,
                        json.dumps(w.value),
                        w.text,
                        w.timestamp,
                        json.dumps(w.metadata),
                        created.timestamp(),
                        now.timestamp(),
                        None if w.vector is None else w.vector.tobytes(),
                    )
                )
            with start_span("memory.put", kind=SpanKind.CHAIN, attributes={"memory.count": len(writes)}):
                self._db.write(rows, deletes)
        self._mirror(writes, now)

    def _mirror(self, writes: list[_Write], now: datetime) -> None:
        dead: list[int] = []
        fresh: list[Record] = []
        vectors: list[np.ndarray] = []
        for w in writes:
            old = self._records.pop((w.namespace, w.key), None)
            if old is not None and old.vid >= 0:
                dead.append(old.vid)
                self._cols.kill(old.vid)
            if w.value is None:
                continue
            record = Record(
                w.namespace, w.key, w.value, w.text, w.timestamp, w.metadata, old.created if old else now, now
            )
            self._records[(w.namespace, w.key)] = record
            if w.vector is not None:
                fresh.append(record)
                vectors.append(w.vector)
        if dead:
            self._require_index(None).remove(np.asarray(dead, dtype=np.int64))
        if fresh:
            index = self._require_index(len(vectors[0]))
            vids = index.add(np.stack(vectors).astype(np.float32, copy=False))
            for record, vid in zip(fresh, vids, strict=True):
                record.vid = int(vid)
            self._cols.append(fresh, [self._ns_id(r.namespace) for r in fresh])
        if dead or fresh:
            self._lexical.dirty = True
            if self._vindex is not None and self._vindex.needs_rebuild():
                self._cols.remap(self._vindex.rebuild())

    def _require_index(self, dim: int | None) -> VectorIndex:
        if self._vindex is None:
            if dim is None:
                raise RuntimeError("vector index missing")
            self._vindex = VectorIndex(dim, self.settings)
        if self._db is not None and self._db.get_meta("dim") is None:
            self._db.set_meta("dim", self._vindex.dim)
        return self._vindex

    def _list_namespaces(self, op: ListNamespacesOp) -> list[tuple[str, ...]]:
        namespaces = {r.namespace for r in self._records.values()}
        for cond in op.match_conditions or ():
            namespaces = {
                ns
                for ns in namespaces
                if namespace_matches(ns, tuple(cond.path), cond.match_type == "suffix")
            }
        if op.max_depth is not None:
            namespaces = {ns[: op.max_depth] for ns in namespaces}
        return sorted(namespaces)[op.offset : op.offset + op.limit]


def _as_item(record: Record) -> Item:
    return Item(
        value=record.value,
        key=record.key,
        namespace=record.namespace,
        created_at=record.created,
        updated_at=record.updated,
    )


def _check_namespace(namespace: Any, name: str) -> tuple[str, ...]:
    if isinstance(namespace, str):
        namespace = (namespace,)
    if not isinstance(namespace, list | tuple) or not namespace:
        raise ValueError(f"{name}: expected a non-empty tuple of strings")
    for label in namespace:
        if not isinstance(label, str) or not label:
            raise ValueError(f"{name}: every label must be a non-empty string, got {label!r}")
    return tuple(namespace)
