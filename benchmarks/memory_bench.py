"""MemoryStore vs LangGraph InMemoryStore, Chroma and bare FAISS on the same vectors.

    .venv/bin/python benchmarks/memory_bench.py --out results/memory_bench.json --sizes 10000,100000

Per size N: N random 384-d unit vectors (10 namespaces, event times uniform over 1e6 s) and the same
random unit query vectors for every system. Reported: insert throughput, single-query p50/p99 latency,
QPS (1 / mean latency), recall@10 vs exact (IndexFlatIP), and the p50 of a namespace + time-window
filtered search (~2% selectivity). "Bare FAISS" searches the very FAISS index the store built (same type,
M, efConstruction, efSearch), so the ratio isolates the store's own per-query overhead.
InMemoryStore is measured on few queries (it scans every item in Python; see `notes` in the JSON).
A real-text part embeds the LoCoMo dialogue turns with MiniLM and asks the LoCoMo questions:
ANN recall@10 (HNSW forced) and evidence hit@10 for dense, lexical and hybrid modes.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

DIM = 384
N_NS = 10
T_SPAN = 1_000_000.0


def unit(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.standard_normal((n, DIM)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def recall(found: list[list[int]], exact: np.ndarray) -> float:
    return float(np.mean([len(set(f) & set(e.tolist())) / len(e) for f, e in zip(found, exact, strict=True)]))


def timed(fn, queries) -> tuple[list[float], list]:
    lat, out = [], []
    for q in queries:
        t = time.perf_counter()
        out.append(fn(q))
        lat.append((time.perf_counter() - t) * 1000)
    return lat, out


def stats(lat: list[float]) -> dict[str, float]:
    arr = np.asarray(lat)
    return {
        "p50_ms": float(np.percentile(arr, 50)),
        "p99_ms": float(np.percentile(arr, 99)),
        "qps": float(1000.0 / arr.mean()),
    }


def bench_size(n: int, n_queries: int, ims_queries: int, chroma: bool, log) -> dict:
    from goalgraph.memory import MemoryStore

    rng = np.random.default_rng(n)
    vecs = unit(rng, n)
    queries = unit(rng, n_queries)
    ns = rng.integers(0, N_NS, size=n)
    ts = rng.uniform(0, T_SPAN, size=n)
    exact_index = faiss.IndexFlatIP(DIM)
    exact_index.add(vecs)
    exact = exact_index.search(queries, 10)[1]
    del exact_index  # each system is freed before the next is built: at 1M they do not all fit at once
    out: dict = {"n": n, "queries": n_queries}

    # --- MemoryStore (in memory; vectors given, so no embedding cost)
    store = MemoryStore(embedder="hash:384")
    t = time.perf_counter()
    for s in range(0, n, 5000):
        store.add_many(
            {
                "namespace": ("ns", str(ns[i])),
                "key": str(i),
                "text": f"item {i}",
                "timestamp": float(ts[i]),
                "vector": vecs[i],
            }
            for i in range(s, min(n, s + 5000))
        )
    out["insert_s"] = time.perf_counter() - t
    out["insert_per_s"] = n / out["insert_s"]
    out["index_kind"] = store._vindex.kind
    out["ef_search"] = store._vindex.ef_search
    log(f"[{n}] MemoryStore insert {out['insert_s']:.1f}s ({out['index_kind']}, ef={out['ef_search']})")
    store.query(vector=queries[0], mode="dense", k=10)  # warm-up
    # Bare FAISS: the same index object, searched directly. Store and FAISS queries alternate so both
    # see the same load on a shared machine (their ratio is the store's own overhead).
    index = store._vindex._index
    lat, flat_lat, res = [], [], []
    for q in queries:
        t = time.perf_counter()
        res.append(store.query(vector=q, mode="dense", k=10))
        lat.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        index.search(q.reshape(1, -1), 10)
        flat_lat.append((time.perf_counter() - t) * 1000)
    s = stats(lat)
    out.update(
        p50_ms=s["p50_ms"],
        p99_ms=s["p99_ms"],
        qps_goalgraph=s["qps"],
        recall_at_10=recall([[int(h.key) for h in r] for r in res], exact),
    )
    s = stats(flat_lat)
    out.update(faiss_p50_ms=s["p50_ms"], faiss_p99_ms=s["p99_ms"], qps_faiss=s["qps"])
    # Filtered: namespace ("ns", "3") and a 20% time window -> ~2% of items.
    window = (0.4 * T_SPAN, 0.6 * T_SPAN)
    lat, res = timed(
        lambda q: store.query(vector=q, namespace=("ns", "3"), time_range=window, mode="dense", k=10), queries
    )
    sel = np.flatnonzero((ns == 3) & (ts >= window[0]) & (ts <= window[1]))
    fexact = np.argsort(-(vecs[sel] @ queries.T), axis=0)[:10].T
    out["filtered_p50_ms"] = stats(lat)["p50_ms"]
    out["filtered_p99_ms"] = stats(lat)["p99_ms"]
    out["filtered_candidates"] = len(sel)
    out["filtered_recall_at_10"] = recall([[int(h.key) for h in r] for r in res], sel[fexact])
    log(
        f"[{n}] MemoryStore p50 {out['p50_ms']:.3f} ms, faiss p50 {out['faiss_p50_ms']:.3f} ms, "
        f"recall {out['recall_at_10']:.3f}, filtered p50 {out['filtered_p50_ms']:.3f} ms"
    )

    store = index = None  # freed before the next system is built
    gc.collect()

    # --- LangGraph InMemoryStore (its own numpy cosine scan over every item)
    from langgraph.store.base import PutOp
    from langgraph.store.memory import InMemoryStore

    lookup: dict[str, np.ndarray] = {}
    # A LangGraph user's embedder returns lists of floats, and so does this one up to 200k items. At 1M,
    # lists of 384 Python floats per item (~12 GB) plus InMemoryStore's per-search array copy do not fit
    # in 24 GiB, so it gets float32 rows there: its search then copies less, so the ratio is conservative.
    as_rows = n > 200_000
    if as_rows:
        out["inmemorystore_vectors"] = "float32 rows (lists of floats do not fit in memory at this size)"

    def embed(texts: list[str]) -> list[Any]:
        return [lookup[t] if as_rows else lookup[t].tolist() for t in texts]

    ims = InMemoryStore(index={"dims": DIM, "embed": embed, "fields": ["text"]})
    t = time.perf_counter()
    for s0 in range(0, n, 5000):
        ops = []
        for i in range(s0, min(n, s0 + 5000)):
            lookup[f"item {i}"] = vecs[i]
            ops.append(PutOp(("ns", str(ns[i])), str(i), {"text": f"item {i}"}))
        ims.batch(ops)
    out["inmemorystore_insert_per_s"] = n / (time.perf_counter() - t)
    for j in range(ims_queries):
        lookup[f"q{j}"] = queries[j]
    lat, res = timed(lambda j: ims.search(("ns",), query=f"q{j}", limit=10), range(ims_queries))
    out["qps_inmemorystore"] = stats(lat)["qps"]
    out["inmemorystore_p50_ms"] = stats(lat)["p50_ms"]
    out["inmemorystore_queries"] = ims_queries
    out["inmemorystore_recall_at_10"] = recall([[int(h.key) for h in r] for r in res], exact[:ims_queries])
    log(f"[{n}] InMemoryStore p50 {out['inmemorystore_p50_ms']:.1f} ms on {ims_queries} queries")
    ims = lookup = None
    gc.collect()

    # --- Chroma (embedded, same vectors, inner-product HNSW with its default parameters)
    if chroma:
        import chromadb

        with tempfile.TemporaryDirectory() as tmp:
            client = chromadb.PersistentClient(path=tmp)
            col = client.create_collection("bench", metadata={"hnsw:space": "ip"})
            batch = min(5000, client.get_max_batch_size())
            t = time.perf_counter()
            for s0 in range(0, n, batch):
                idx = range(s0, min(n, s0 + batch))
                col.add(
                    ids=[str(i) for i in idx],
                    embeddings=vecs[s0 : s0 + len(idx)],
                    metadatas=[{"ns": int(ns[i]), "ts": float(ts[i])} for i in idx],
                )
            out["chroma_insert_per_s"] = n / (time.perf_counter() - t)
            col.query(query_embeddings=queries[:1], n_results=10)
            lat, res = timed(lambda q: col.query(query_embeddings=q.reshape(1, -1), n_results=10), queries)
            s = stats(lat)
            out.update(
                qps_chroma=s["qps"],
                chroma_p50_ms=s["p50_ms"],
                chroma_p99_ms=s["p99_ms"],
                chroma_recall_at_10=recall([[int(i) for i in r["ids"][0]] for r in res], exact),
            )
            where = {"$and": [{"ns": 3}, {"ts": {"$gte": window[0]}}, {"ts": {"$lte": window[1]}}]}
            lat, _ = timed(
                lambda q: col.query(query_embeddings=q.reshape(1, -1), n_results=10, where=where),
                queries[:50],
            )
            out["chroma_filtered_p50_ms"] = stats(lat)["p50_ms"]
            log(f"[{n}] Chroma p50 {out['chroma_p50_ms']:.3f} ms, recall {out['chroma_recall_at_10']:.3f}")

    return out


def bench_locomo(data_dir: Path, max_questions: int, log) -> dict | None:
    from goalgraph.memory import IndexSettings, MemoryStore, SentenceTransformerEmbedder

    files = sorted((data_dir / "locomo").glob("*.json"))
    if not files:
        return None
    docs, questions = [], []
    for f in files:
        conv = json.loads(f.read_text())
        for name, turns in conv.items():
            if name.startswith("session_") and isinstance(turns, list):
                for turn in turns:
                    docs.append((f.stem, turn["dia_id"], f"{turn['speaker']}: {turn['text']}"))
        for qa in conv.get("qa", []):
            if qa.get("evidence"):
                questions.append((f.stem, str(qa["question"]), set(qa["evidence"])))
    step = max(1, len(questions) // max_questions)
    questions = questions[::step][:max_questions]
    embedder = SentenceTransformerEmbedder()
    t = time.perf_counter()
    doc_vecs = embedder.embed([d[2] for d in docs])
    embed_s = time.perf_counter() - t
    # Force HNSW so the ANN recall on real text is measured, not the exact flat scan.
    store = MemoryStore(embedder=embedder, settings=IndexSettings(hnsw_threshold=1000, large_index="hnsw"))
    store.add_many(
        {"namespace": ("locomo", c), "key": f"{c}:{d}", "text": text, "vector": v}
        for (c, d, text), v in zip(docs, doc_vecs, strict=True)
    )
    exact_index = faiss.IndexFlatIP(doc_vecs.shape[1])
    exact_index.add(doc_vecs)
    qvecs = embedder.embed([q[1] for q in questions])
    exact = exact_index.search(qvecs, 10)[1]
    keys = [f"{c}:{d}" for c, d, _ in docs]
    found = [[keys.index(h.key) for h in store.query(vector=v, mode="dense", k=10)] for v in qvecs]
    out = {
        "docs": len(docs),
        "questions": len(questions),
        "embed_docs_per_s": len(docs) / embed_s,
        "ann_recall_at_10": recall(found, exact),
        "index_kind": store._vindex.kind,
    }
    for mode in ("dense", "lexical", "hybrid"):
        hits = 0
        for (conv, question, evidence), v in zip(questions, qvecs, strict=True):
            res = store.query(
                question, vector=v if mode != "lexical" else None, namespace=("locomo", conv), mode=mode, k=10
            )
            hits += any(h.key.split(":", 1)[1] in evidence for h in res)
        out[f"evidence_hit_at_10_{mode}"] = hits / len(questions)
    log(f"[locomo] {out}")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="JSON file to write")
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated item counts")
    parser.add_argument("--queries", type=int, default=300, help="queries per size")
    parser.add_argument("--no-chroma", action="store_true", help="skip Chroma")
    parser.add_argument("--no-locomo", action="store_true", help="skip the LoCoMo real-text part")
    parser.add_argument("--locomo-questions", type=int, default=400)
    args = parser.parse_args()
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        print(f"--sizes: expected comma-separated integers, got {args.sizes!r}", file=sys.stderr)
        return 2
    faiss.omp_set_num_threads(1)  # single-query latency; the machine is shared
    from rich.console import Console

    console = Console(stderr=True)
    log = console.log
    results = {"sizes": {}, "notes": []}
    summary = {}
    for n in sizes:
        ims_q = 20 if n <= 10_000 else (5 if n <= 100_000 else 2)
        with console.status(f"benchmarking {n} items"):
            r = bench_size(n, args.queries, ims_q, not args.no_chroma, log)
        results["sizes"][str(n)] = r
        results["notes"].append(f"{n}: InMemoryStore measured on {ims_q} queries (others on {args.queries})")
        summary[str(n)] = {
            k: r.get(k)
            for k in (
                "qps_goalgraph",
                "qps_inmemorystore",
                "qps_chroma",
                "qps_faiss",
                "p50_ms",
                "p99_ms",
                "faiss_p50_ms",
                "filtered_p50_ms",
                "recall_at_10",
                "chroma_recall_at_10",
                "insert_per_s",
            )
        }
        s = summary[str(n)]
        s["p50_over_faiss"] = r["p50_ms"] / r["faiss_p50_ms"]
        s["qps_over_inmemorystore"] = r["qps_goalgraph"] / r["qps_inmemorystore"]
        if r.get("qps_chroma"):
            s["qps_over_chroma"] = r["qps_goalgraph"] / r["qps_chroma"]
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps({"summary": summary, **results}, indent=2))
    if not args.no_locomo:
        data = Path(
            os.environ.get(
                "GOALGRAPH_SHARED_DATA", Path(__file__).resolve().parents[1].parent / "shared" / "data"
            )
        )
        with console.status("LoCoMo real-text recall"):
            results["locomo"] = bench_locomo(data, args.locomo_questions, log)
    Path(args.out).write_text(json.dumps({"summary": summary, **results}, indent=2))
    console.print_json(json.dumps(summary))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
