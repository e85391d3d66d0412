"""Embedders: OpenAI-compatible endpoint over real HTTP, callables, caching and spec parsing."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import numpy as np
import pytest

from goalgraph.memory import CallableEmbedder, HashEmbedder, MemoryStore, OpenAIEmbedder, make_embedder


class _Handler(BaseHTTPRequestHandler):
    calls: ClassVar[list[list[str]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        _Handler.calls.append(body["input"])
        vectors = HashEmbedder(16).embed(body["input"]).tolist()
        data = [{"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)]
        payload = json.dumps({"object": "list", "data": data[::-1], "model": body["model"]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server_url() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_openai_compatible_endpoint_batches_and_caches(server_url: str) -> None:
    embedder = make_embedder(f"openai:tiny-embed@{server_url}")
    assert isinstance(embedder, OpenAIEmbedder)
    _Handler.calls.clear()
    store = MemoryStore(embedder=embedder)
    store.add_many(
        {"namespace": ("e",), "key": str(i), "text": f"note number {i} about boats"} for i in range(5)
    )
    store.add(("e",), "x", text="trains run on rails")
    assert store.query("rails trains", mode="dense", k=1)[0].key == "x"
    assert len(_Handler.calls) == 3  # one batch for the 5, one for "x", one for the query
    store.query("rails trains", mode="dense", k=1)
    assert len(_Handler.calls) == 3  # query embedding came from the cache
    # server returned the rows out of order: they are re-sorted by index
    np.testing.assert_allclose(
        embedder.embed(["note number 1 about boats"])[0],
        HashEmbedder(16).embed(["note number 1 about boats"])[0],
        atol=1e-6,
    )


def test_callable_and_specs() -> None:
    calls: list[int] = []

    def fn(texts: list[str]) -> list[list[float]]:
        calls.append(len(texts))
        return [[1.0, float(len(t)), 0.0] for t in texts]

    embedder = make_embedder(fn)
    assert isinstance(embedder, CallableEmbedder)
    out = embedder.embed(["a", "bb", "a"])
    assert out.shape == (3, 3) and calls == [2]
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), 1.0, rtol=1e-5)
    assert make_embedder("hash:8").dim == 8
    with pytest.raises(ValueError, match="openai:MODEL@URL"):
        make_embedder("openai:model-without-url")
    with pytest.raises(ValueError, match="embedder spec"):
        make_embedder("/no/such/model/dir")
    with pytest.raises(ValueError, match="returned shape"):
        CallableEmbedder(lambda texts: [[1.0]]).embed(["a", "b"])
