"""Search internals of `MemoryStore` (a mixin): filter masks, dense/lexical/hybrid ranking, plain scans."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from ._filters import matches
from ._records import Columns, MemoryHit, Record

if TYPE_CHECKING:
    from ._index import VectorIndex
    from ._lexical import LexicalIndex

__all__ = ["SearchMixin", "SearchMode"]

SearchMode = Literal["dense", "lexical", "hybrid"]
_RRF_K = 60  # the usual reciprocal-rank-fusion constant (Cormack et al. 2009)


class SearchMixin:
    """Ranking over the store's records, vector index and BM25 index (the caller holds the lock)."""

    _vindex: VectorIndex | None
    _lexical: LexicalIndex
    _cols: Columns
    _records: dict[tuple[tuple[str, ...], str], Record]
    _ns_list: list[tuple[str, ...]]

    def _mask(self, prefix: tuple[str, ...], start: float | None, end: float | None) -> np.ndarray | None:
        assert self._vindex is not None
        size = self._vindex.size
        mask: np.ndarray | None = None
        if prefix:
            ids = [i for i, ns in enumerate(self._ns_list) if ns[: len(prefix)] == prefix]
            if len(ids) < len(self._ns_list):
                col = self._cols.ns[:size]
                mask = (col == ids[0]) if len(ids) == 1 else np.isin(col, np.asarray(ids, dtype=np.int32))
        if start is not None or end is not None:
            ts = self._cols.ts[:size]
            with np.errstate(invalid="ignore"):
                tmask = np.ones(size, dtype=bool) if start is None else ts >= start
                if end is not None:
                    tmask &= ts <= end
            mask = tmask if mask is None else mask & tmask
        return mask

    def _search(
        self,
        text: str | None,
        qvec: np.ndarray | None,
        mode: SearchMode,
        prefix: tuple[str, ...],
        start: float | None,
        end: float | None,
        where: Mapping[str, Any] | None,
        vfilter: Mapping[str, Any] | None,
        k: int,
        offset: int,
    ) -> list[MemoryHit]:
        def keep(record: Record) -> bool:
            return matches(record.metadata, where) and matches(record.value, vfilter)

        predicate = keep if (where or vfilter) else None
        if qvec is None and not (text and mode != "dense"):
            return self._scan(prefix, start, end, predicate, k, offset)
        index = self._vindex
        if index is None or not index.n_alive:
            return []
        need = k + offset
        mask = self._mask(prefix, start, end)
        records = self._cols.records
        if mode == "dense" or (text is None) or (mode == "hybrid" and not text):
            if qvec is None:
                return []
            ranked = self._dense(qvec, need, mask, predicate)
        elif mode == "lexical":
            ranked = self._lexical_ranked(text, need, mask, predicate)
        else:
            pool = max(need * 3, 30)
            dense = self._dense(qvec, pool, mask, predicate) if qvec is not None else []
            lexical = self._lexical_ranked(text, pool, mask, predicate)
            fused: dict[int, float] = {}
            for ranking in (dense, lexical):
                for rank, (vid, _) in enumerate(ranking):
                    fused[vid] = fused.get(vid, 0.0) + 1.0 / (_RRF_K + rank + 1)
            ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:need]
        return [MemoryHit.of(records[vid], score) for vid, score in ranked[offset:need]]  # type: ignore[arg-type]

    def _dense(
        self, qvec: np.ndarray, need: int, mask: np.ndarray | None, predicate: Callable[[Record], bool] | None
    ) -> list[tuple[int, float]]:
        assert self._vindex is not None
        records = self._cols.records
        fetch = need if predicate is None else need * 4
        while True:
            scores, vids = self._vindex.search(qvec, fetch, mask)
            if predicate is None:
                return list(zip(vids.tolist(), scores.tolist(), strict=True))
            out = [
                (v, s) for v, s in zip(vids.tolist(), scores.tolist(), strict=True) if predicate(records[v])
            ]  # type: ignore[arg-type]
            if len(out) >= need or len(vids) < fetch or fetch >= self._vindex.n_alive:
                return out[:need]
            fetch *= 4

    def _lexical_ranked(
        self, text: str, need: int, mask: np.ndarray | None, predicate: Callable[[Record], bool] | None
    ) -> list[tuple[int, float]]:
        assert self._vindex is not None
        size = self._vindex.size
        if self._lexical.dirty:
            docs = [(i, r.text) for i, r in enumerate(self._cols.records[:size]) if r is not None and r.text]
            self._lexical.rebuild(np.asarray([i for i, _ in docs], dtype=np.int64), [t for _, t in docs])
        scores = self._lexical.scores(text, size)
        allowed = self._vindex.alive[:size] & (scores > 0)
        if mask is not None:
            allowed &= mask
        cand = np.flatnonzero(allowed)
        order = cand[np.argsort(-scores[cand], kind="stable")]
        records = self._cols.records
        out: list[tuple[int, float]] = []
        for vid in order.tolist():
            if predicate is None or predicate(records[vid]):  # type: ignore[arg-type]
                out.append((vid, float(scores[vid])))
                if len(out) >= need:
                    break
        return out

    def _scan(
        self,
        prefix: tuple[str, ...],
        start: float | None,
        end: float | None,
        predicate: Callable[[Record], bool] | None,
        k: int,
        offset: int,
    ) -> list[MemoryHit]:
        out: list[MemoryHit] = []
        skipped = 0
        for record in self._records.values():
            if record.namespace[: len(prefix)] != prefix:
                continue
            if start is not None or end is not None:
                ts = record.timestamp
                if ts is None or (start is not None and ts < start) or (end is not None and ts > end):
                    continue
            if predicate is not None and not predicate(record):
                continue
            if skipped < offset:
                skipped += 1
                continue
            if len(out) >= k:
                break
            out.append(MemoryHit(record, None))
        return out
