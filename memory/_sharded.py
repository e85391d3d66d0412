"""`ShardedStore`: one LangGraph `BaseStore` over several stores, each holding a slice of the namespaces.

    shards = [MemoryStore.open(f"/data/memory/{i}") for i in range(4)]   # or any BaseStore
    store = ShardedStore(shards, depth=1)          # ("user", "42", ...) lives wholly in one shard
    graph = builder.compile(store=store)           # agents see one store

Each FAISS index stays small (search cost grows with the shard, not the whole memory), shards can live on
different GPUs or be opened by different processes, and nothing here is a distributed database: a search
confined to one routing prefix touches one shard; a wider one asks every shard and merges by score.
"""

from __future__ import annotations

import asyncio
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from langgraph.store.base import (
    BaseStore,
    GetOp,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
)

__all__ = ["ShardedStore", "stable_shard"]


def stable_shard(prefix: tuple[str, ...], shards: int) -> int:
    """The shard of a routing prefix: a hash that is the same in every process and on every machine.

    (Python's own `hash` of a str is salted per process, so two processes would disagree.)
    """
    digest = hashlib.blake2b("\x1f".join(prefix).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "big") % shards


class ShardedStore(BaseStore):
    """Routes each namespace by its first `depth` labels to one of `shards`; fans out wider searches.

    Gets, puts and deletes go to exactly one shard. A search whose namespace prefix has at least `depth`
    labels goes to one shard; a shorter prefix (or none) asks every shard for ``offset + limit`` hits and
    merges them by score (all shards should use the same embedder, so scores compare). Listing namespaces
    merges every shard's answer, sorted, before ``offset`` / ``limit`` apply.
    """

    def __init__(
        self,
        shards: Sequence[BaseStore],
        *,
        depth: int = 1,
        route: Callable[[tuple[str, ...], int], int] = stable_shard,
    ) -> None:
        """`shards`: the stores (order matters: it is part of the routing); `route(prefix, n)` → shard."""
        if not shards:
            raise ValueError("shards: give at least one store")
        if depth < 1:
            raise ValueError(f"depth must be at least 1, not {depth}")
        self.shards = list(shards)
        self.depth = depth
        self._route = route

    def shard_of(self, namespace: tuple[str, ...]) -> BaseStore:
        """The store that holds `namespace` (namespaces shorter than `depth` route by what they have)."""
        return self.shards[self._index_of(namespace)]

    def _index_of(self, namespace: tuple[str, ...]) -> int:
        index = self._route(tuple(namespace[: self.depth]), len(self.shards))
        if not 0 <= index < len(self.shards):
            raise ValueError(f"route returned shard {index} for {namespace!r}; there are {len(self.shards)}")
        return index

    def _targets(self, op: Op) -> list[int]:
        if isinstance(op, GetOp | PutOp):
            return [self._index_of(op.namespace)]
        if isinstance(op, SearchOp) and len(op.namespace_prefix) >= self.depth:
            return [self._index_of(op.namespace_prefix)]
        return list(range(len(self.shards)))

    @staticmethod
    def _widened(op: Op) -> Op:
        # Each shard must return enough for the merged page: offset + limit from each, paged after merging.
        if isinstance(op, SearchOp):
            return SearchOp(op.namespace_prefix, op.filter, op.offset + op.limit, 0, op.query, op.refresh_ttl)
        if isinstance(op, ListNamespacesOp):
            return ListNamespacesOp(op.match_conditions, op.max_depth, op.offset + op.limit, 0)
        return op

    @staticmethod
    def _merge(op: Op, answers: list[Any]) -> Result:
        if isinstance(op, SearchOp):
            hits: list[SearchItem] = [hit for answer in answers for hit in answer]
            # Scored hits best first; unscored (no query) ones after, newest first, like one store would.
            hits.sort(key=lambda h: (h.score is None, -(h.score or 0.0), -h.updated_at.timestamp()))
            return hits[op.offset : op.offset + op.limit]
        if isinstance(op, ListNamespacesOp):
            merged = sorted({ns for answer in answers for ns in answer})
            return merged[op.offset : op.offset + op.limit]
        return answers[0]

    def _plan(self, ops: Iterable[Op]) -> tuple[list[Op], dict[int, list[tuple[int, Op]]]]:
        ordered = list(ops)
        per_shard: dict[int, list[tuple[int, Op]]] = defaultdict(list)
        for position, op in enumerate(ordered):
            targets = self._targets(op)
            for shard in targets:
                per_shard[shard].append((position, op if len(targets) == 1 else self._widened(op)))
        return ordered, per_shard

    def _collect(
        self, ordered: list[Op], per_shard: dict[int, list[tuple[int, Op]]], answers: dict[int, list[Result]]
    ) -> list[Result]:
        gathered: dict[int, list[Any]] = defaultdict(list)
        for shard, entries in per_shard.items():
            for (position, _), result in zip(entries, answers[shard], strict=True):
                gathered[position].append(result)
        return [self._merge(op, gathered[position]) for position, op in enumerate(ordered)]

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        """Run `ops` shard by shard (each shard's ops in their original order); results in `ops` order."""
        ordered, per_shard = self._plan(ops)
        answers = {
            shard: self.shards[shard].batch([op for _, op in entries]) for shard, entries in per_shard.items()
        }
        return self._collect(ordered, per_shard, answers)

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        """Like `batch`, with the shards working concurrently."""
        ordered, per_shard = self._plan(ops)
        shards = list(per_shard)
        results = await asyncio.gather(
            *(self.shards[shard].abatch([op for _, op in per_shard[shard]]) for shard in shards)
        )
        return self._collect(ordered, per_shard, dict(zip(shards, results, strict=True)))
