"""Reuse of the KV cache across generations that share a prompt prefix (what vLLM calls prefix caching).

An agent's calls re-send a growing conversation: step n+1's prompt is step n's prompt, its reply and
a tool result. On the CPU the prompt's forward pass dominates such a call (about 3 s for 1,250 tokens
against 0.1 s a generated token), so the engine keeps the KV caches of its last few sequences and
feeds only what follows the longest shared prefix. transformers has no cross-call prefix cache of its
own (its docs copy a cache by hand for one fixed prefix), hence this small store.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["CachedSequence", "PrefixCache"]


@dataclass
class CachedSequence:
    """Token ids whose keys and values `cache` holds, position for position."""

    ids: list[int]
    """The tokens the model has read, in order."""
    cache: Any
    """A transformers `DynamicCache` covering exactly `ids`."""


class PrefixCache:
    """The last `capacity` sequences the engine decoded, looked up by longest common token prefix."""

    def __init__(self, capacity: int = 4, *, min_shared: int = 16) -> None:
        self.capacity = capacity
        """How many sequences to keep (0 turns reuse off)."""
        self.min_shared = min_shared
        """Shorter shared prefixes are recomputed: cropping and bookkeeping would cost more than they save."""
        self._sequences: list[CachedSequence] = []

    def take(self, prompt: list[int]) -> tuple[Any, int]:
        """A cache holding `prompt`'s longest cached prefix and that prefix's length, or `(None, 0)`.

        The sequence is removed from the store (its cache is cropped and then extended in place), and
        at least the prompt's last token is left to feed, since its logits start the reply.
        """
        best, best_shared = -1, 0
        for index, sequence in enumerate(self._sequences):
            shared = _common_prefix(sequence.ids, prompt)
            if shared > best_shared:
                best, best_shared = index, shared
        best_shared = min(best_shared, len(prompt) - 1)
        if best < 0 or best_shared < self.min_shared:
            return None, 0
        sequence = self._sequences.pop(best)
        # transformers 5.2x crops by a (negative) count of tokens to drop, not to a length.
        sequence.cache.crop(best_shared - sequence.cache.get_seq_length())
        return sequence.cache, best_shared

    def put(self, ids: list[int], cache: Any) -> None:
        """Keep `cache` (covering `ids`) as the most recent sequence, dropping the oldest beyond capacity."""
        if self.capacity <= 0 or cache is None:
            return
        self._sequences.append(CachedSequence(ids, cache))
        del self._sequences[: -self.capacity]

    def clear(self) -> None:
        """Forget every cached sequence."""
        self._sequences.clear()


def _common_prefix(left: list[int], right: list[int]) -> int:
    shared = 0
    for a, b in zip(left, right, strict=False):
        if a != b:
            break
        shared += 1
    return shared
