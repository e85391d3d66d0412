"""BM25 over item texts via `bm25s`, rebuilt lazily after writes."""

from __future__ import annotations

import numpy as np

__all__ = ["LexicalIndex"]


class LexicalIndex:
    """BM25 index over (vid, text) pairs; `scores(query)` gives a score for every vid."""

    def __init__(self) -> None:
        self._retriever: object | None = None
        self._doc_vids = np.zeros(0, dtype=np.int64)
        self._vocab: dict[str, int] = {}
        self.dirty = True

    def rebuild(self, vids: np.ndarray, texts: list[str]) -> None:
        """Index `texts` (one per vid)."""
        import bm25s

        self._doc_vids = np.asarray(vids, dtype=np.int64)
        self.dirty = False
        if not texts:
            self._retriever = None
            return
        tokens = bm25s.tokenize(texts, return_ids=False, show_progress=False)
        retriever = bm25s.BM25()
        retriever.index(tokens, show_progress=False)
        self._retriever = retriever
        self._vocab = retriever.vocab_dict

    def scores(self, query: str, size: int) -> np.ndarray:
        """BM25 score of `query` for every vid in `range(size)` (0 for vids without text)."""
        import bm25s

        out = np.zeros(size, dtype=np.float32)
        if self._retriever is None:
            return out
        tokens = [
            t for t in bm25s.tokenize([query], return_ids=False, show_progress=False)[0] if t in self._vocab
        ]
        if not tokens:
            return out
        doc_scores = self._retriever.get_scores(tokens)  # type: ignore[attr-defined]
        ok = self._doc_vids < size
        out[self._doc_vids[ok]] = doc_scores[ok]
        return out
