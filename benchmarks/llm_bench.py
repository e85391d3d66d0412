"""Embedded model: cold vs. warm load, and constrained vs. plain `generate` tokens/s, in one run.

    python benchmarks/llm_bench.py --out results/llm_bench.json

Loads are measured in fresh processes (a cold load from the GGUF into an empty cache directory, then a
warm load from that cache). Decoding is measured in this process on the same prompts and the same
token counts: `goalgraph.llm` under an xgrammar JSON-schema constraint (with jump-forward decoding of
grammar-forced tokens, the default, and without it) vs. transformers' own `model.generate` with no
constraint (the peer). Those calls start from an empty prefix cache, so they time decoding alone.

A growing agent conversation (each call re-sends the last prompt, its reply and a tool result, as the
agents do) is timed twice on the same calls: with the engine's prefix cache and with it off (the peer).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

PROMPTS = [
    "Describe the city of Paris for a travel guide.",
    "Explain how a bicycle works to a child.",
    "Write a short story about a lighthouse keeper.",
    "List the steps to bake bread at home.",
]
SCHEMA = {
    "type": "object",
    "properties": {"title": {"type": "string"}, "text": {"type": "string"}},
    "required": ["title", "text"],
}
# Library imports (torch, transformers and its lazily imported Llama/tokenizer modules) are paid by any
# process that uses transformers, so they are timed apart from the model load; both are reported.
LOAD_SNIPPET = """
import time, json
started = time.perf_counter()
import torch, transformers, xgrammar
import transformers.models.llama.modeling_llama, transformers.tokenization_utils_tokenizers
from transformers import AutoModelForCausalLM, AutoTokenizer
from goalgraph.llm import model
imported = time.perf_counter()
engine = model("local").engine
print(json.dumps({"load_s": time.perf_counter() - imported, "import_s": imported - started}))
"""


def _load_seconds(cache: str) -> dict[str, float]:
    env = {**os.environ, "GOALGRAPH_CACHE_DIR": cache, "HF_HUB_OFFLINE": "1"}
    output = subprocess.run(
        [sys.executable, "-c", LOAD_SNIPPET], env=env, capture_output=True, text=True, check=True
    )
    return {k: float(v) for k, v in json.loads(output.stdout.strip().splitlines()[-1]).items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--tokens", type=int, default=48, help="tokens generated per prompt")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--turns", type=int, default=8, help="calls in the agent-style conversation")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as cache:
        cold_run = _load_seconds(cache)
        warm_runs = [_load_seconds(cache) for _ in range(3)]
    cold = cold_run["load_s"]
    warm = statistics.median(run["load_s"] for run in warm_runs)
    warm_import = statistics.median(run["import_s"] for run in warm_runs)

    import torch

    from goalgraph.llm import model

    engine = model("local").engine
    constrained_rates, stepwise_rates, plain_rates = [], [], []
    for _ in range(args.repeats):
        for prompt in PROMPTS:
            chat = [{"role": "user", "content": prompt}]
            engine.generate(chat, schema=SCHEMA, max_new_tokens=2)  # grammar compiled outside the timing
            engine.prefixes.clear()
            # Without jump-forward every grammar-forced token costs a forward pass: the constraint's own cost.
            engine.jump_forward = False
            stepwise = engine.generate(chat, schema=SCHEMA, max_new_tokens=args.tokens)
            stepwise_rates.append(stepwise.output_tokens / stepwise.seconds)
            engine.jump_forward = True
            engine.prefixes.clear()
            constrained = engine.generate(chat, schema=SCHEMA, max_new_tokens=args.tokens)
            constrained_rates.append(constrained.output_tokens / constrained.seconds)
            ids = engine.chat_ids(chat)
            with torch.inference_mode():
                started = time.perf_counter()
                out = engine.model.generate(
                    ids,
                    attention_mask=torch.ones_like(ids),
                    max_new_tokens=constrained.output_tokens,
                    min_new_tokens=constrained.output_tokens,
                    do_sample=False,
                    pad_token_id=engine.tokenizer.eos_token_id,
                )
                seconds = time.perf_counter() - started
            plain_rates.append((out.shape[1] - ids.shape[1]) / seconds)
    conversation = _conversation_seconds(engine, turns=args.turns)
    constrained_tok_s = statistics.median(constrained_rates)
    stepwise_tok_s = statistics.median(stepwise_rates)
    unconstrained_tok_s = statistics.median(plain_rates)
    summary = {
        "cold_load_s": cold,
        "warm_load_s": warm,
        "constrained_tok_s": constrained_tok_s,
        "unconstrained_tok_s": unconstrained_tok_s,
        "constrained_cost_pct": 100 * (1 - constrained_tok_s / unconstrained_tok_s),
        "constrained_over_unconstrained": constrained_tok_s / unconstrained_tok_s,
        "constrained_no_jump_forward_tok_s": stepwise_tok_s,
        "constrained_no_jump_forward_cost_pct": 100 * (1 - stepwise_tok_s / unconstrained_tok_s),
        "conversation_s_prefix_cache": conversation["cached"],
        "conversation_s_no_prefix_cache": conversation["uncached"],
        "conversation_prefix_cache_speedup": conversation["uncached"] / conversation["cached"],
        "conversation_cached_token_share": conversation["cached_share"],
        "import_s": warm_import,
        "warm_process_s": warm + warm_import,
        "targets": {"warm_load_s_max": 3.0, "constrained_cost_pct_max": 15.0},
    }
    document = {
        "summary": summary,
        "prompts": PROMPTS,
        "tokens_per_prompt": args.tokens,
        "repeats": args.repeats,
        "torch_threads": torch.get_num_threads(),
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(document, indent=2))
    print(json.dumps(summary, indent=2))


STEP_SCHEMA = {
    "type": "object",
    "properties": {
        "thought": {"type": "string", "maxLength": 80},
        "query": {"type": "string", "maxLength": 40},
    },
    "required": ["thought", "query"],
}
RESULT = (
    "Result of search: The Seine is a 777-kilometre river in northern France. It rises at Source-Seine "
    "and flows through Paris into the English Channel at Le Havre. Its drainage basin covers much of "
    "northern France, and it is navigable by ocean-going vessels up to Rouen."
)


def _conversation_seconds(engine: Any, *, turns: int) -> dict[str, float]:
    """Total seconds of the same agent-style conversation with the prefix cache on and off."""
    # The replies are fixed, so both passes send exactly the same prompts whatever the model decodes.
    chat = [
        {"role": "system", "content": "You answer questions by searching. Reply with one JSON object."},
        {
            "role": "user",
            "content": "Question: Which river flows through the capital of France, and how long is it?",
        },
    ]
    prompts = []
    for turn in range(turns):
        prompts.append(list(chat))
        reply = json.dumps({"thought": f"Step {turn}: look further.", "query": f"Seine river fact {turn}"})
        chat = [*chat, {"role": "assistant", "content": reply}, {"role": "user", "content": RESULT}]
    totals = {}
    cached_tokens = prompt_tokens = 0
    original = engine.prefixes.capacity
    for label, capacity in (("uncached", 0), ("cached", original)):
        engine.prefixes.clear()
        engine.prefixes.capacity = capacity
        started = time.perf_counter()
        for prompt in prompts:
            generation = engine.generate(prompt, schema=STEP_SCHEMA, max_new_tokens=24)
            if label == "cached":
                cached_tokens += generation.cached_tokens
                prompt_tokens += generation.input_tokens
        totals[label] = time.perf_counter() - started
    engine.prefixes.clear()
    engine.prefixes.capacity = original
    return {**totals, "cached_share": cached_tokens / max(prompt_tokens, 1)}


if __name__ == "__main__":
    main()
