"""FAISS vector index with stable integer ids, tombstones, filtered search and a flat -> large switch.

Ids ("vids") are dense positions into `vectors`; the store maps them to items. The FAISS index always
holds vids as labels. Flat on CPU is an `IndexIDMap2(IndexFlatIP)` and removes physically. The large
indexes (HNSW, or the "scan" index: 4-bit PQ fast-scan codes refined exactly by `IndexRefineFlat`) and a
GPU flat index cannot remove, so deleted vids are tombstoned in `alive` and filtered at search time,
and `compact()` rebuilds once tombstones exceed `IndexSettings.compact_ratio`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import faiss as _faiss
import numpy as np

# faiss' SWIG stubs miss many classes and attributes; treat the module as untyped.
faiss: Any = _faiss

__all__ = ["IndexSettings", "VectorIndex"]


@dataclass(frozen=True)
class IndexSettings:
    """How the FAISS index is built and searched."""

    #: Live vectors above which the exact flat index is replaced by the large index. Below ~20k an
    #: exact scan of 384-d vectors costs < 3 ms on one core, and is exact.
    hnsw_threshold: int = 20_000
    #: Large index: "hnsw", "scan" (4-bit product-quantization codes, two dimensions per code, scanned
    #: exhaustively with FAISS's SIMD fast-scan; the top `scan_refine` x k candidates re-scored exactly
    #: with the float32 vectors by FAISS's IndexRefineFlat: ~8x faster than flat on 100k x 384-d, recall
    #: ~1.0 even on random vectors) or "auto": probe HNSW on a sample of the data and use it only when it
    #: reaches `target_recall` with a small beam (`probe_max_ef`). High-intrinsic-dimension data (e.g.
    #: random vectors) defeats HNSW; real text embeddings do not.
    large_index: str = "auto"
    #: Candidates per requested hit that the "scan" index re-scores exactly (FAISS's refine k_factor).
    scan_refine: int = 40
    #: Largest efSearch the sample probe may need for "auto" to pick HNSW.
    probe_max_ef: int = 128
    #: Sample size of the "auto" probe.
    probe_size: int = 10_000
    #: Above this many vectors "auto" always picks HNSW: the exhaustive code scan grows past ~25 ms per
    #: query on one core (~2.5 ms per million 384-d vectors), whatever the data.
    scan_max: int = 10_000_000
    #: HNSW graph degree.
    hnsw_m: int = 32
    #: HNSW construction beam (higher: better graph, slower build).
    ef_construction: int = 80
    #: HNSW search beam; None: tuned at build time until sampled recall@10 >= `target_recall`.
    ef_search: int | None = None
    #: Recall@10 vs exact that the efSearch tuning aims for.
    target_recall: float = 0.97
    #: Rebuild when tombstoned vids exceed this fraction of all vids.
    compact_ratio: float = 0.25
    #: A filtered search whose candidate set is at most this big is answered exactly by a matmul over
    #: the candidates (faster and exact); larger sets go to FAISS with an IDSelector.
    exact_subset_max: int = 30_000
    #: Use a GPU for the flat index when faiss sees one.
    use_gpu: bool = True


class VectorIndex:
    """Vectors (unit, float32) by vid, plus the FAISS index over them."""

    def __init__(self, dim: int, settings: IndexSettings | None = None) -> None:
        self.dim = dim
        self.settings = settings or IndexSettings()
        self.vectors = np.zeros((0, dim), dtype=np.float32)
        self.alive = np.zeros(0, dtype=bool)
        self.size = 0  # vids in use (alive or tombstoned)
        self.n_alive = 0
        self.kind = "flat"
        self.ef_search = self.settings.ef_search or 64
        self._index: Any = None
        self._removable = True
        self._gpu = self.settings.use_gpu and faiss.get_num_gpus() > 0
        self._new_flat()

    # ----- building -----
    def _new_flat(self) -> None:
        self.kind = "flat"
        if self._gpu:  # pragma: no cover - needs a CUDA faiss build
            resources = faiss.StandardGpuResources()
            self._index = faiss.index_cpu_to_gpu(resources, 0, faiss.IndexFlatIP(self.dim))
            self._removable = False  # GPU flat labels are sequential positions == vids
        else:
            self._index = faiss.IndexIDMap2(faiss.IndexFlatIP(self.dim))
            self._removable = True

    def _grow(self, need: int) -> None:
        cap = self.vectors.shape[0]
        if need <= cap:
            return
        new_cap = max(need, cap * 2, 1024)
        vectors = np.zeros((new_cap, self.dim), dtype=np.float32)
        vectors[: self.size] = self.vectors[: self.size]
        alive = np.zeros(new_cap, dtype=bool)
        alive[: self.size] = self.alive[: self.size]
        self.vectors, self.alive = vectors, alive

    def add(self, vectors: np.ndarray) -> np.ndarray:
        """Append unit vectors; returns their vids."""
        n = len(vectors)
        start = self.size
        self._grow(start + n)
        self.vectors[start : start + n] = vectors
        self.alive[start : start + n] = True
        self.size += n
        self.n_alive += n
        vids = np.arange(start, start + n, dtype=np.int64)
        if n:
            self._add_to_faiss(vectors, vids)
        return vids

    def _add_to_faiss(self, vectors: np.ndarray, vids: np.ndarray) -> None:
        if self._removable:
            self._index.add_with_ids(vectors, vids)
        else:
            # Sequential-label indexes: label == vid only while the index was built over all vids in order.
            assert self._index.ntotal == vids[0], "index out of step with vids"
            self._index.add(vectors)
            if self.kind == "scan":
                _scan_search_settings(self._index, self.settings)  # the kernel choice depends on size

    def remove(self, vids: np.ndarray) -> None:
        """Delete vids (physically for CPU flat, as tombstones otherwise)."""
        vids = np.asarray(vids, dtype=np.int64)
        vids = vids[self.alive[vids]]
        if not len(vids):
            return
        self.alive[vids] = False
        self.n_alive -= len(vids)
        if self._removable:
            self._index.remove_ids(vids)

    @property
    def n_dead(self) -> int:
        """Tombstoned vids still inside the FAISS index."""
        return 0 if self._removable else self.size - self.n_alive

    def needs_rebuild(self) -> bool:
        """Whether to call `rebuild()`: flat grew past the HNSW threshold, or tombstones piled up."""
        if self.kind == "flat" and self.n_alive > self.settings.hnsw_threshold:
            return True
        return self.size > 1000 and (self.size - self.n_alive) > self.settings.compact_ratio * self.size

    def rebuild(self) -> np.ndarray:
        """Drop dead vids, renumber densely and rebuild FAISS; returns the old vid of each new vid."""
        keep = np.flatnonzero(self.alive[: self.size])
        vectors = np.ascontiguousarray(self.vectors[keep])
        self.vectors = vectors.copy()
        self.alive = np.ones(len(keep), dtype=bool)
        self.size = self.n_alive = len(keep)
        if len(keep) > self.settings.hnsw_threshold:
            choice = self.settings.large_index
            if choice == "auto":
                big = len(keep) > self.settings.scan_max
                choice = "hnsw" if big or self._hnsw_suits(vectors) else "scan"
            if choice == "hnsw":
                self._build_hnsw(vectors)
            else:
                self._build_scan(vectors)
        else:
            self._new_flat()
            if len(keep):
                self._add_to_faiss(vectors, np.arange(len(keep), dtype=np.int64))
        return keep

    def _build_hnsw(self, vectors: np.ndarray) -> None:
        index = faiss.IndexHNSWFlat(self.dim, self.settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = self.settings.ef_construction
        index.add(vectors)
        self._index = index
        self._removable = False
        self.kind = "hnsw"
        self.ef_search = self.settings.ef_search or self._tune_ef(vectors) or 512
        index.hnsw.efSearch = self.ef_search

    def _build_scan(self, vectors: np.ndarray) -> None:
        """Codes scanned exhaustively, candidates re-scored exactly; labels are vids (tombstones)."""
        if self.dim % 2 == 0:
            base = faiss.IndexPQFastScan(self.dim, self.dim // 2, 4, faiss.METRIC_INNER_PRODUCT)
            rng = np.random.default_rng(0)
            sample = vectors[rng.choice(len(vectors), size=min(len(vectors), 65_536), replace=False)]
            base.train(np.ascontiguousarray(sample))
        else:  # product quantization needs an even split of the dimensions
            base = faiss.IndexScalarQuantizer(
                self.dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT
            )
        index = faiss.IndexRefineFlat(base)
        index.add(vectors)
        self._index = _scan_search_settings(index, self.settings)
        self._removable = False
        self.kind = "scan"

    def _hnsw_suits(self, vectors: np.ndarray) -> bool:
        rng = np.random.default_rng(1)
        sample = vectors[
            rng.choice(len(vectors), size=min(self.settings.probe_size, len(vectors)), replace=False)
        ]
        probe = faiss.IndexHNSWFlat(self.dim, self.settings.hnsw_m, faiss.METRIC_INNER_PRODUCT)
        probe.hnsw.efConstruction = self.settings.ef_construction
        probe.add(sample)
        return self._tune_ef(sample, probe, self.settings.probe_max_ef) is not None

    def _tune_ef(self, vectors: np.ndarray, index: Any = None, max_ef: int = 512) -> int | None:
        # Queries: stored vectors moved by noise of equal norm, a mix of near-duplicate and far-away
        # queries; exact top-10 by matmul. Smallest efSearch reaching the target recall wins.
        rng = np.random.default_rng(0)
        sample = vectors[rng.choice(len(vectors), size=min(200, len(vectors)), replace=False)]
        noise = rng.standard_normal(sample.shape).astype(np.float32)
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        queries = sample + noise
        queries /= np.linalg.norm(queries, axis=1, keepdims=True)
        exact = _exact_topk(vectors, queries, 10)
        index = self._index if index is None else index
        for ef in (32, 48, 64, 96, 128, 192, 256, 384, 512):
            if ef > max_ef:
                break
            index.hnsw.efSearch = ef
            _, found = index.search(queries, 10)
            recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, exact, strict=True)])
            if recall >= self.settings.target_recall:
                return ef
        return None

    # ----- searching -----
    def search(
        self, query: np.ndarray, k: int, mask: np.ndarray | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-`k` (scores, vids) by inner product among alive vids (and `mask`, a bool array by vid)."""
        k = min(k, self.n_alive)
        if k <= 0:
            return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
        q = query.reshape(1, -1)
        if mask is not None:
            mask = mask[: self.size] & self.alive[: self.size]
            candidates = np.flatnonzero(mask)
            if len(candidates) <= self.settings.exact_subset_max or not self._takes_selector:
                return _subset_topk(self.vectors, candidates, query, k)
            return self._search_selected(q, k, mask)
        dead = self.n_dead
        if dead == 0:
            scores, vids = self._index.search(q, k)
            return _trim(scores[0], vids[0])
        # Oversample past tombstones; fall back to a selector when too many of the hits were dead.
        scores, vids = self._index.search(q, min(self._index.ntotal, k + min(dead, 2 * k + 16)))
        keep = (vids[0] >= 0) & self.alive[np.maximum(vids[0], 0)]
        if keep.sum() >= k:
            return scores[0][keep][:k], vids[0][keep][:k]
        if not self._takes_selector:
            return _subset_topk(self.vectors, np.flatnonzero(self.alive[: self.size]), query, k)
        return self._search_selected(q, k, self.alive[: self.size])

    @property
    def _takes_selector(self) -> bool:
        # FAISS's GPU flat index and fast-scan codes refuse an IDSelector; those go through an exact subset.
        return not self._gpu and self.kind != "scan"

    def _search_selected(self, q: np.ndarray, k: int, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        bits = np.packbits(mask, bitorder="little")
        selector = faiss.IDSelectorBitmap(len(mask), faiss.swig_ptr(bits))
        if self.kind == "hnsw":
            params: Any = faiss.SearchParametersHNSW(sel=selector, efSearch=max(self.ef_search, 2 * k))
        else:
            params = faiss.SearchParameters(sel=selector)
        scores, vids = self._index.search(q, k, params=params)
        return _trim(scores[0], vids[0])

    # ----- persistence -----
    def save(self, path: str) -> None:
        """Write the FAISS index (CPU copy) to `path` atomically."""
        index = faiss.index_gpu_to_cpu(self._index) if self._gpu and self.kind == "flat" else self._index
        tmp = f"{path}.tmp"
        faiss.write_index(index, tmp)
        os.replace(tmp, path)

    def load(self, path: str, vectors: np.ndarray, alive: np.ndarray, kind: str, ef_search: int) -> None:
        """Adopt a saved FAISS index built over exactly `vectors` (vid order) with `alive` tombstones."""
        index = faiss.read_index(path)
        removable = kind == "flat" and not self._gpu
        # Stores saved before the scan index used refined PQ codes hold an ID-mapped float16 scan.
        old_scan = kind == "scan" and not isinstance(index, faiss.IndexRefine)
        if index.ntotal != int(alive.sum() if removable or old_scan else len(alive)):
            raise ValueError("saved index size does not match the items")
        self.vectors, self.alive = vectors, alive
        self.size, self.n_alive, self.kind = len(alive), int(alive.sum()), kind
        if old_scan:
            self._build_scan(np.ascontiguousarray(vectors[: self.size]))  # over every vid, tombstones kept
        elif kind == "scan":
            self._index, self._removable = _scan_search_settings(index, self.settings), False
        elif kind == "hnsw":
            index.hnsw.efSearch = ef_search
            self.ef_search = ef_search
            self._removable = False
            self._index = index
        elif kind == "flat" and self._gpu:  # pragma: no cover
            self._index = faiss.index_cpu_to_gpu(faiss.StandardGpuResources(), 0, index)
        else:
            self._index = index
            self._removable = True


_CACHE_BYTES = 32 << 20  # codes beyond this no longer sit in a typical last-level cache


def _scan_search_settings(index: Any, settings: IndexSettings) -> Any:
    """Search-time settings of a refined scan index (FAISS does not save them with the index)."""
    index.k_factor = float(settings.scan_refine)
    base = faiss.downcast_index(index.base_index)
    if isinstance(base, faiss.IndexFastScan):
        # Once the codes outgrow the CPU cache, the query-blocked kernel with a heap (implementation 15)
        # is faster: 1M x 192 codes in 3.3 ms on one core where FAISS's default takes 5.8 ms; at 100k
        # the default wins (0.21 vs 0.33 ms). Same distances, hence the same results, either way.
        base.implem = 15 if base.ntotal * base.code_size > _CACHE_BYTES else 0
    return index


def _trim(scores: np.ndarray, vids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    ok = vids >= 0
    return (scores, vids) if ok.all() else (scores[ok], vids[ok])


def _dot(matrix: np.ndarray, query: np.ndarray) -> np.ndarray:
    # einsum, not `@`: a small matrix-vector product through multithreaded OpenBLAS costs ~10x more on
    # a busy machine (thread wake-ups) than a single-threaded loop.
    return np.einsum("ij,j->i", matrix, query)


def _subset_topk(
    vectors: np.ndarray, candidates: np.ndarray, query: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    if not len(candidates):
        return np.zeros(0, dtype=np.float32), np.zeros(0, dtype=np.int64)
    scores = _dot(vectors[candidates], query)
    k = min(k, len(candidates))
    top = np.argpartition(-scores, k - 1)[:k] if k < len(candidates) else np.arange(len(candidates))
    top = top[np.argsort(-scores[top], kind="stable")]
    return scores[top], candidates[top].astype(np.int64)


def _exact_topk(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    return index.search(queries, k)[1]
