"""Child process for the crash test: writes batches forever, printing each batch's keys once committed."""

from __future__ import annotations

import sys

from goalgraph.memory import MemoryStore

store = MemoryStore.open(sys.argv[1], embedder="hash:32")
start = int(sys.argv[2])
batch = 0
while True:
    keys = [f"k{start}b{batch}i{i}" for i in range(50)]  # one BM25 token each
    store.add_many(
        {"namespace": ("crash",), "key": k, "text": f"memory {k} text", "timestamp": float(batch)}
        for k in keys
    )
    print("ACK " + " ".join(keys), flush=True)
    batch += 1
