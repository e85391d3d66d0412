"""The embedded model's engine: load (with a weight cache) and decode, optionally constrained by xgrammar."""

from __future__ import annotations

import inspect
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._files import cache_dir
from ._prefix_cache import PrefixCache

__all__ = ["ContinuationScore", "Generation", "LocalEngine", "load_engine"]

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Generation:
    """The result of one decode."""

    text: str
    """The generated text (JSON when a schema constrained it)."""
    input_tokens: int
    """Prompt length in tokens."""
    output_tokens: int
    """Generated tokens."""
    seconds: float
    """Wall time of the decode."""
    cached_tokens: int = 0
    """Prompt tokens whose keys and values came from an earlier generation's cache, not a forward pass."""


@dataclass(frozen=True)
class ContinuationScore:
    """How likely a model finds a continuation of a prompt."""

    logprob: float
    """Sum of the continuation's token log-probabilities."""
    tokens: int
    """Its length in tokens."""

    @property
    def mean(self) -> float:
        """Log-probability per token: comparable across continuations of different lengths."""
        return self.logprob / self.tokens


class LocalEngine:
    """A causal LM on CPU (or CUDA) with KV-cached greedy/sampled decoding and JSON-schema constraints.

    One engine is shared by every agent in the process; `generate` holds a lock, since one model
    forward pass already uses every core.
    """

    def __init__(self, model: Any, tokenizer: Any, source: Path) -> None:
        import torch
        import xgrammar

        self.model = model
        self.tokenizer = tokenizer
        self.source = source
        self.device = next(model.parameters()).device
        self.vocab_size = int(model.config.vocab_size)
        self._tokenizer_info = xgrammar.TokenizerInfo.from_huggingface(tokenizer, vocab_size=self.vocab_size)
        self._compiler = xgrammar.GrammarCompiler(self._tokenizer_info)
        self._grammars: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._torch = torch
        self.jump_forward = True
        """Emit grammar-forced tokens without sampling them (off only to measure what it saves)."""
        # transformers 5.2x renamed the KV-cache argument `past_key_values` to `cache`; use whichever
        # this version's forward takes (the old name warns from 5.2x on).
        forward_parameters = inspect.signature(model.forward).parameters
        self._cache_arg = "cache" if "cache" in forward_parameters else "past_key_values"
        # Only the last position's logits are sampled: computing the LM head (49k columns) for every
        # prompt position costs a quarter of a long prompt's forward pass.
        self._last_logits_only = {"logits_to_keep": 1} if "logits_to_keep" in forward_parameters else {}
        self.prefixes = PrefixCache()
        """KV caches of recent sequences, so a conversation's next call reads only its new tokens."""
        self.eos_ids = {int(tokenizer.eos_token_id)} if tokenizer.eos_token_id is not None else set()
        self.context_window = int(getattr(model.config, "max_position_embeddings", 8192))
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
        self.pad_id = int(pad or 0)

    def count_tokens(self, text: str) -> int:
        """Tokens of `text` in this model's tokenizer."""
        return len(self.tokenizer.encode(text, add_special_tokens=False))

    def chat_ids(self, messages: list[dict[str, str]]) -> Any:
        """Token ids of a chat rendered with the model's chat template, ready for the assistant's turn."""
        encoded = self.tokenizer.apply_chat_template(
            messages, add_generation_prompt=True, return_tensors="pt"
        )
        ids = encoded["input_ids"] if hasattr(encoded, "keys") else encoded
        return ids.to(self.device)

    def _grammar(self, schema: dict[str, Any]) -> Any:
        # The cache key is order-insensitive, but the grammar keeps the schema's property order: the
        # tool name must be generated before its arguments.
        key = json.dumps(schema, sort_keys=True)
        compiled = self._grammars.get(key)
        if compiled is None:
            compiled = self._compiler.compile_json_schema(
                json.dumps(discriminated_as_any_of(schema)), any_whitespace=False, strict_mode=True
            )
            self._grammars[key] = compiled
        return compiled

    def generate(
        self,
        messages: list[dict[str, str]],
        *,
        schema: dict[str, Any] | None = None,
        max_new_tokens: int = 256,
        temperature: float = 0.0,
        seed: int | None = None,
    ) -> Generation:
        """Decode the assistant's reply to `messages`; with `schema`, the reply is JSON valid for it."""
        import xgrammar

        torch = self._torch
        started = time.perf_counter()
        with self._lock, torch.inference_mode():
            prompt = self.chat_ids(messages)
            budget = max(1, min(max_new_tokens, self.context_window - prompt.shape[1]))
            matcher = xgrammar.GrammarMatcher(self._grammar(schema)) if schema is not None else None
            bitmask: Any = xgrammar.allocate_token_bitmask(1, self.vocab_size)
            generator = (
                torch.Generator(device=self.device).manual_seed(int(seed))
                if temperature > 0 and seed is not None
                else None
            )
            produced: list[int] = []
            prompt_ids = [int(t) for t in prompt[0].tolist()]
            past, cached = self.prefixes.take(prompt_ids)
            step_input = prompt[:, cached:]
            read: list[int] = prompt_ids[:cached]  # the tokens `past` covers
            while len(produced) < budget:
                if matcher is not None and self.jump_forward:
                    # Jump-forward decoding: text the grammar forces (keys, `{"tool": "NAME", ...`) needs no
                    # sampling; its tokens join the next forward pass instead of costing one pass each.
                    forced = matcher.find_jump_forward_tokens()[: budget - len(produced)]
                    accepted = [t for t in forced if matcher.accept_token(t)]
                    if len(accepted) < len(forced):  # cannot happen for forced text; never trust it blindly
                        break
                    if accepted:
                        produced.extend(accepted)
                        # `step_input` holds what the model has not read yet (the prompt, or the last token).
                        tail = torch.tensor([accepted], device=self.device)
                        step_input = torch.cat([step_input, tail], dim=1)
                        if matcher.is_terminated() or len(produced) >= budget:
                            break
                out = self.model(
                    input_ids=step_input, use_cache=True, **{self._cache_arg: past}, **self._last_logits_only
                )
                past = out.cache if self._cache_arg == "cache" else out.past_key_values
                read.extend(int(t) for t in step_input[0].tolist())
                logits = out.logits[:, -1, :].float()
                if matcher is not None:
                    matcher.fill_next_token_bitmask(bitmask)
                    xgrammar.apply_token_bitmask_inplace(logits, bitmask.to(logits.device))
                if temperature > 0:
                    probs = torch.softmax(logits / temperature, dim=-1)
                    token = int(torch.multinomial(probs, 1, generator=generator).item())
                else:
                    token = int(torch.argmax(logits, dim=-1).item())
                if matcher is not None:
                    if not matcher.accept_token(token):
                        break
                    produced.append(token)
                    if matcher.is_terminated():
                        break
                else:
                    if token in self.eos_ids:
                        break
                    produced.append(token)
                step_input = torch.tensor([[token]], device=self.device)
            self.prefixes.put(read, past)
            text = self.tokenizer.decode(produced, skip_special_tokens=True)
        return Generation(
            text, int(prompt.shape[1]), len(produced), time.perf_counter() - started, cached_tokens=cached
        )

    def score(self, messages: list[dict[str, str]], continuations: list[str]) -> list[ContinuationScore]:
        """How likely the model finds each of `continuations` as the start of its reply to `messages`.

        One forward pass reads the prompt; one batched pass reads every continuation on copies of its KV
        cache. Ranking candidate answers by their per-token log-probability is how zero-shot multiple
        choice is scored (lm-evaluation-harness's ``acc_norm``). transformers has no such call (its
        ``compute_transition_scores`` scores only what `generate` produced), hence this one.
        """
        if not continuations:
            return []
        torch = self._torch
        with self._lock, torch.inference_mode():
            prompt = self.chat_ids(messages)
            encoded = [
                self.tokenizer.encode(text, add_special_tokens=False) or [self.pad_id]
                for text in continuations
            ]
            width = max(len(ids) for ids in encoded)
            needed = prompt.shape[1] + width
            if needed > self.context_window:
                raise ValueError(
                    f"score: prompt and longest continuation take {needed} tokens, more than the model's "
                    f"context window of {self.context_window}"
                )
            out = self.model(input_ids=prompt, use_cache=True, **self._last_logits_only)
            past = out.cache if self._cache_arg == "cache" else out.past_key_values
            first = out.logits[0, -1].float().log_softmax(-1)
            batch = torch.full((len(encoded), width), self.pad_id, dtype=torch.long, device=self.device)
            mask = torch.zeros((len(encoded), prompt.shape[1] + width), dtype=torch.long, device=self.device)
            mask[:, : prompt.shape[1]] = 1
            for row, ids in enumerate(encoded):
                batch[row, : len(ids)] = torch.tensor(ids, device=self.device)
                mask[row, prompt.shape[1] : prompt.shape[1] + len(ids)] = 1
            # Right padding: a continuation's tokens precede its padding, so their positions and the
            # logits read below are those of the unpadded sequence.
            past.batch_repeat_interleave(len(encoded))
            rest = self.model(input_ids=batch, attention_mask=mask, use_cache=True, **{self._cache_arg: past})
            following = rest.logits.float().log_softmax(-1)
            scores = []
            for row, ids in enumerate(encoded):
                logprob = float(first[ids[0]]) + sum(
                    float(following[row, position, ids[position + 1]]) for position in range(len(ids) - 1)
                )
                scores.append(ContinuationScore(logprob, len(ids)))
        return scores


_engines: dict[Path, LocalEngine] = {}
_engines_lock = threading.Lock()


def discriminated_as_any_of(schema: Any) -> Any:
    """`schema` with each discriminated ``oneOf`` (pydantic's tagged unions) written as ``anyOf``.

    A discriminator makes the branches mutually exclusive, so "exactly one" and "at least one" accept the
    same documents; xgrammar cannot prove that, so it warns on every such ``oneOf`` and falls back to
    ``anyOf`` anyway. Untagged ``oneOf`` is left as it is.
    """
    if isinstance(schema, list):
        return [discriminated_as_any_of(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    rewritten = {key: discriminated_as_any_of(value) for key, value in schema.items()}
    tagged = isinstance(rewritten.get("oneOf"), list) and isinstance(rewritten.get("discriminator"), dict)
    if tagged and "anyOf" not in rewritten:
        rewritten["anyOf"] = rewritten.pop("oneOf")
        del rewritten["discriminator"]
    return rewritten


def load_engine(source: Path) -> LocalEngine:
    """The process-wide engine for `source` (a GGUF file or model directory), loading it once."""
    with _engines_lock:
        engine = _engines.get(source)
        if engine is None:
            model, tokenizer = _load(source)
            engine = LocalEngine(model, tokenizer, source)
            _engines[source] = engine
        return engine


def _load(source: Path) -> tuple[Any, Any]:
    if "HF_HUB_OFFLINE" not in os.environ:
        # Local files only: without this, a tokenizer load may probe the Hub and wait on the network.
        os.environ["HF_HUB_OFFLINE"] = "1"
        import huggingface_hub.constants

        # The Hub library reads the variable once, at import; it may already be imported.
        huggingface_hub.constants.HF_HUB_OFFLINE = True
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    if source.is_dir():
        return _from_pretrained(source, device)
    cached = cache_dir(source)
    if (cached / "config.json").is_file() and (cached / "tokenizer_config.json").is_file():
        try:
            return _from_pretrained(cached, device)
        except Exception as error:  # a damaged cache is rebuilt, never fatal
            _log.warning("model cache %s unreadable (%s); rebuilding from %s", cached, error, source.name)
    # First load: dequantize the GGUF (slow), then cache weights and tokenizer for the next process.
    tokenizer = AutoTokenizer.from_pretrained(source.parent, gguf_file=source.name)
    model = AutoModelForCausalLM.from_pretrained(source.parent, gguf_file=source.name, dtype=torch.float32)
    _save_cache(model, tokenizer, cached)
    return model.to(device).eval(), tokenizer  # type: ignore[arg-type]


def _from_pretrained(path: Path, device: str) -> tuple[Any, Any]:
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(path)
    model = AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32)
    return model.to(device).eval(), tokenizer  # type: ignore[arg-type]


def _save_cache(model: Any, tokenizer: Any, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=target.parent))
        # transformers refuses save_pretrained on a GGUF-loaded model (it calls it quantized) although
        # the weights are already dequantized floats: write config and safetensors directly.
        from safetensors.torch import save_model

        config = model.config.to_dict()
        config.pop("quantization_config", None)
        (staging / "config.json").write_text(json.dumps(config, indent=2), encoding="utf-8")
        if getattr(model, "generation_config", None) is not None:
            model.generation_config.save_pretrained(staging)
        save_model(model, str(staging / "model.safetensors"))
        tokenizer.save_pretrained(staging)
        if target.exists():
            shutil.rmtree(target, ignore_errors=True)
        # Atomic publish: another process sees either no cache or a complete one.
        os.replace(staging, target)
    except Exception as error:  # caching is an optimisation: never fail a load because of it
        _log.warning("could not cache model weights in %s: %s", target, error)
