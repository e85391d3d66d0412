"""Loading a persisted `MemoryStore` from SQLite and saving/validating its FAISS index file.

The index file is trusted only when its sidecar JSON names the SQLite generation it was saved at and
its SHA-256 matches; otherwise (crash, missing file, a newer write) the index is rebuilt from the vectors
stored in SQLite, which are the source of truth.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ._index import VectorIndex
from ._records import Record

if TYPE_CHECKING:
    from ._store import MemoryStore

__all__ = ["load", "save"]

_INDEX = "index.faiss"
_META = "index.json"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save(store: MemoryStore, directory: Path) -> None:
    """Write the index and its sidecar (generation, checksum, vid -> item keys)."""
    db, index = store._db, store._vindex
    if db is None:
        return
    if index is None or index.size == 0:
        (directory / _META).unlink(missing_ok=True)
        return
    index.save(str(directory / _INDEX))
    keys = [None if r is None else [list(r.namespace), r.key] for r in store._cols.records[: index.size]]
    meta = {
        "generation": db.generation,
        "sha256": _sha256(directory / _INDEX),
        "kind": index.kind,
        "ef_search": index.ef_search,
        "dim": index.dim,
        "keys": keys,
    }
    tmp = directory / f"{_META}.tmp"
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, directory / _META)


def load(store: MemoryStore, directory: Path) -> None:
    """Fill `store` from its SQLite file, adopting the saved index when it is current."""
    db = store._db
    assert db is not None
    dim_meta = db.get_meta("dim")
    records: list[Record] = []
    vectors: dict[tuple[tuple[str, ...], str], np.ndarray] = {}
    for _id, row in db.rows():
        ns_json, key, value, text, ts, metadata, created, updated, blob = row
        namespace = tuple(json.loads(ns_json))
        record = Record(
            namespace,
            key,
            json.loads(value),
            text,
            ts,
            json.loads(metadata),
            datetime.fromtimestamp(created, UTC),
            datetime.fromtimestamp(updated, UTC),
        )
        records.append(record)
        store._records[(namespace, key)] = record
        store._ns_id(namespace)
        if blob is not None:
            vectors[(namespace, key)] = np.frombuffer(blob, dtype=np.float32)
    dim = int(dim_meta) if dim_meta else (len(next(iter(vectors.values()))) if vectors else None)
    if dim is not None:
        embedder_dim = getattr(store.embedder, "_dim", None)
        if embedder_dim and embedder_dim != dim:
            raise ValueError(
                f"embedder: {store.embedder.name} makes {embedder_dim}-d vectors but the store at {directory} holds {dim}-d"
            )
        if not dim_meta:
            db.set_meta("dim", dim)
    if not vectors:
        if dim is not None and store._vindex is None:
            store._vindex = VectorIndex(dim, store.settings)
        return
    assert dim is not None
    if _adopt_saved(store, directory, vectors, dim):
        return
    index = store._vindex = VectorIndex(dim, store.settings)
    fresh = [r for r in records if (r.namespace, r.key) in vectors]
    # Add everything at once so a large store goes straight to HNSW instead of flat-then-rebuild.
    keep = np.arange(len(fresh))
    matrix = np.stack([vectors[(r.namespace, r.key)] for r in fresh])
    index.add(matrix)
    for vid, record in enumerate(fresh):
        record.vid = vid
    store._cols.append(fresh, [store._ns_id(r.namespace) for r in fresh])
    if index.needs_rebuild():
        keep = index.rebuild()
        store._cols.remap(keep)


def _adopt_saved(store: MemoryStore, directory: Path, vectors: dict[Any, np.ndarray], dim: int) -> bool:
    meta_path, index_path = directory / _META, directory / _INDEX
    if store._db is None or not meta_path.exists() or not index_path.exists():
        return False
    try:
        meta = json.loads(meta_path.read_text())
        if (
            meta["generation"] != store._db.generation
            or meta["dim"] != dim
            or meta["sha256"] != _sha256(index_path)
        ):
            return False
        slots: list[Record | None] = []
        for entry in meta["keys"]:
            slots.append(None if entry is None else store._records[(tuple(entry[0]), entry[1])])
        live = [r for r in slots if r is not None]
        if len(live) != len(vectors):
            return False
        matrix = np.zeros((len(slots), dim), dtype=np.float32)
        alive = np.zeros(len(slots), dtype=bool)
        for vid, record in enumerate(slots):
            if record is not None:
                matrix[vid] = vectors[(record.namespace, record.key)]
                alive[vid] = True
                record.vid = vid
        index = VectorIndex(dim, store.settings)
        index.load(str(index_path), matrix, alive, meta["kind"], int(meta["ef_search"]))
    except (KeyError, ValueError, TypeError, RuntimeError):
        for record in store._records.values():
            record.vid = -1
        return False
    store._vindex = index
    ns_ids = [0 if r is None else store._ns_id(r.namespace) for r in slots]
    store._cols.append(slots, ns_ids)  # type: ignore[arg-type]
    for vid, record in enumerate(slots):
        if record is None:
            store._cols.kill(vid)
    return True
