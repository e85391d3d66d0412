"""Passage retrieval for multi-hop QA: a hybrid BM25 + dense index and an engine that reads what it finds.

index = HybridIndex(pooled_passages(load_multihop("questions.jsonl")))
engine = RetrievalEngine(index, model=goalgraph.llm.model("local"))
hits = engine.retrieve("Thomas Paine", k=5); result = await engine.answer_from_passages("Who wrote Common Sense?")
"""

from ._compare import TemporalComparison, YearReading, compare_by_year, temporal_comparison
from ._data import (
    MultihopQuestion,
    Passage,
    hop_ordered_sample,
    load_multihop,
    passage_id,
    pooled_passages,
    stratified_sample,
)
from ._engine import EngineAnswer, EngineConfig, RetrievalEngine, render_passages
from ._extract import Candidate, answer_kind, choice_options, content_tokens, extract_candidates
from ._index import HybridIndex, IndexConfig, PassageIndex, ScoredPassage, default_embedder
from ._llm import Measured, ask, ask_measured, choice_model, choice_tokens, resolve_model
from ._tools import Passages, SearchQuery, retrieval_tools

__all__ = [
    "Candidate",
    "EngineAnswer",
    "EngineConfig",
    "HybridIndex",
    "IndexConfig",
    "Measured",
    "MultihopQuestion",
    "Passage",
    "PassageIndex",
    "Passages",
    "RetrievalEngine",
    "ScoredPassage",
    "SearchQuery",
    "TemporalComparison",
    "YearReading",
    "answer_kind",
    "ask",
    "ask_measured",
    "choice_model",
    "choice_options",
    "choice_tokens",
    "compare_by_year",
    "content_tokens",
    "default_embedder",
    "extract_candidates",
    "hop_ordered_sample",
    "load_multihop",
    "passage_id",
    "pooled_passages",
    "render_passages",
    "resolve_model",
    "retrieval_tools",
    "stratified_sample",
    "temporal_comparison",
]
