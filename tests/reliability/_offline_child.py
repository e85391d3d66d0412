"""Child of the offline test: the embedded model, the default embedder and dense retrieval, with every
network connection or name lookup recorded by an audit hook; prints the attempts as JSON at the end."""

from __future__ import annotations

import json
import sys
from typing import Any

attempts: list[str] = []


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if event == "socket.connect":
        address = args[1]
        host = address[0] if isinstance(address, tuple) else str(address)
        if host not in ("127.0.0.1", "::1", "localhost") and not str(host).startswith("/"):
            attempts.append(f"connect {address}")
    elif event == "socket.getaddrinfo" and args[0] not in ("127.0.0.1", "::1", "localhost", None):
        attempts.append(f"getaddrinfo {args[0]}")


sys.addaudithook(_hook)

from pydantic import BaseModel  # noqa: E402
from pydantic_ai import Agent  # noqa: E402

from goalgraph import llm  # noqa: E402
from goalgraph.memory import MemoryStore  # noqa: E402
from goalgraph.tools.retrieval import HybridIndex, Passage  # noqa: E402


class City(BaseModel):
    name: str


store = MemoryStore()  # the default embedder: all-MiniLM-L6-v2 from its wheel
store.add(("t",), text="Alice moved to Paris in May")
hits = store.query("where does Alice live", namespace=("t",), k=1)
index = HybridIndex([Passage.make("Paris", "Paris is the capital of France.")])  # dense + BM25
found = index.search("capital of France", k=1)
reply = Agent(llm.model("local"), output_type=City).run_sync(
    "Name the capital of France.", model_settings={"max_tokens": 24}
)
during = list(attempts)
try:  # control: a lookup the hook must see (".invalid" never resolves)
    import socket

    socket.getaddrinfo("offline-probe.invalid", 80)
except OSError:
    pass
result = {"attempts": during, "control": attempts[len(during) :], "hits": len(hits), "found": len(found)}
print("RESULT " + json.dumps({**result, "city": reply.output.name}))
