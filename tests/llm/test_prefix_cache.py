"""Prefix reuse: a conversation's next call reads only its new tokens, and decodes what a fresh call would."""

from __future__ import annotations

import torch
from transformers import DynamicCache

from goalgraph.llm import LocalModel
from goalgraph.llm._prefix_cache import PrefixCache


def _cache(length: int) -> DynamicCache:
    cache = DynamicCache()
    states = torch.zeros(1, 1, length, 2)
    cache.update(states, states.clone(), 0)
    return cache


def test_the_longest_shared_prefix_is_taken_and_cropped_to_it() -> None:
    store = PrefixCache(capacity=2, min_shared=2)
    store.put([1, 2, 3, 4, 5], _cache(5))
    store.put([1, 2, 9], _cache(3))
    cache, shared = store.take([1, 2, 3, 4, 7, 8])
    assert shared == 4
    assert cache.get_seq_length() == 4
    # Taken means gone (the caller extends it in place): what is left is the other sequence.
    cache, shared = store.take([1, 2, 3, 4, 7, 8])
    assert shared == 2
    assert cache.get_seq_length() == 2
    assert store.take([1, 2, 3, 4, 7, 8]) == (None, 0)


def test_the_prompts_last_token_is_always_left_to_feed() -> None:
    store = PrefixCache(min_shared=1)
    store.put([1, 2, 3], _cache(3))
    cache, shared = store.take([1, 2, 3])
    assert shared == 2
    assert cache.get_seq_length() == 2


def test_short_prefixes_capacity_and_off_switch() -> None:
    store = PrefixCache(capacity=1, min_shared=3)
    store.put([1, 2, 3, 4], _cache(4))
    assert store.take([1, 2, 8, 9]) == (None, 0)  # two shared tokens: recomputed
    store.put([5, 6, 7, 8], _cache(4))  # capacity 1: [1, 2, 3, 4] is dropped
    assert store.take([1, 2, 3, 4, 5]) == (None, 0)
    off = PrefixCache(capacity=0)
    off.put([1, 2, 3, 4], _cache(4))
    assert off.take([1, 2, 3, 4, 5]) == (None, 0)


def test_a_growing_conversation_reuses_its_prefix_and_decodes_the_same(local_model: LocalModel) -> None:
    engine = local_model.engine
    schema = {
        "type": "object",
        "properties": {"tool": {"enum": ["search", "finish"]}, "query": {"type": "string", "maxLength": 40}},
        "required": ["tool", "query"],
    }
    chat = [
        {"role": "system", "content": "You answer questions by searching. Reply with one JSON object."},
        {"role": "user", "content": "Question: Which river flows through the capital of France?"},
    ]
    results = ["Paris is the capital of France.", "The Seine flows through Paris."]
    engine.prefixes.clear()
    try:
        for turn in range(3):
            reused = engine.generate(chat, schema=schema, max_new_tokens=32)
            engine.prefixes.clear()
            fresh = engine.generate(chat, schema=schema, max_new_tokens=32)
            assert fresh.cached_tokens == 0
            assert reused.text == fresh.text
            if turn:
                # Everything up to the last reply was read before; only the reply's end and the result are new.
                assert reused.input_tokens - 40 < reused.cached_tokens < reused.input_tokens
            if turn < len(results):
                chat += [
                    {"role": "assistant", "content": reused.text},
                    {"role": "user", "content": f"Result of search: {results[turn]}"},
                ]
    finally:
        engine.prefixes.clear()
