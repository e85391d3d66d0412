"""The ReSum evaluation: ReSum against plain ReAct with the same tools, model and context budget."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from goalgraph.agents._qa_metrics import exact_match, token_f1
from goalgraph.agents.resum import ReSumConfig, build_resum, default_token_counter, run_resum
from goalgraph.tools.retrieval import (
    HybridIndex,
    IndexConfig,
    MultihopQuestion,
    RetrievalEngine,
    hop_ordered_sample,
    load_multihop,
    pooled_passages,
    resolve_model,
)

__all__ = ["ResumEvalConfig", "run_resum_eval"]

SYSTEMS = ("resum", "react")
METRICS = ("f1", "em", "peak_context_tokens", "overflows", "summaries", "rounds", "seconds")


@dataclass(frozen=True)
class ResumEvalConfig:
    """One evaluation run."""

    data: Path
    """The multihop ``questions.jsonl`` (the pooled corpus is all of its paragraphs)."""
    out: Path
    """Results JSON."""
    limit: int | None = None
    """Questions: 3- and 4-hop MuSiQue first, then HotpotQA (None: all)."""
    model: Any = "local"
    """Agent model: a spec string or a pydantic-ai model."""
    summarizer: str | None = None
    """Summarizer model spec (None: the agent's model)."""
    agent: ReSumConfig = field(default_factory=ReSumConfig)
    """Budget and loop settings, shared by both systems."""
    dense: bool = True
    """Hybrid BM25 + dense retrieval."""
    concurrency: int = 1
    """Episodes in flight."""
    quiet: bool = False
    """No progress bar or table."""


class _Runner:
    def __init__(
        self, config: ResumEvalConfig, questions: list[MultihopQuestion], counter: Callable[[str], int]
    ) -> None:
        self.questions = {q.id: q for q in questions}
        model = resolve_model(config.model)
        summarizer = resolve_model(config.summarizer) if config.summarizer else model
        engine = RetrievalEngine(HybridIndex(pooled_passages(questions), IndexConfig(dense=config.dense)))
        self.graphs = {
            "resum": build_resum(
                model, engine, count_tokens=counter, summarizer=summarizer, config=config.agent
            ),
            "react": build_resum(
                model, engine, count_tokens=counter, config=replace(config.agent, summarize=False)
            ),
        }

    async def __call__(self, task: Any) -> dict[str, Any]:
        question = self.questions[task.id]
        started = time.perf_counter()
        final = await run_resum(self.graphs[task.system], question.question)
        answer = final.get("answer", "")
        return {
            "question": question.question,
            "gold": question.answers,
            "hops": question.hops,
            "answer": answer,
            "status": final.get("status"),
            "summary_chain": final.get("summaries", []),
            "trajectory": [
                {k: v for k, v in e.items() if k != "previous"} for e in final.get("trajectory", [])
            ],
            "metrics": {
                "f1": token_f1(answer, question.answers),
                "em": exact_match(answer, question.answers),
                "peak_context_tokens": float(final.get("peak_tokens", 0)),
                "overflows": float(final.get("overflows", 0)),
                "summaries": float(len(final.get("summaries", []))),
                "rounds": float(final.get("rounds", 0)),
                "seconds": time.perf_counter() - started,
            },
        }


def run_resum_eval(
    config: ResumEvalConfig, count_tokens: Callable[[str], int] | None = None
) -> dict[str, Any]:
    """Run ReSum and ReAct on the sample and write the results file; returns the document."""
    from goalgraph.evals import EvalConfig, EvalTask, run_eval

    questions = load_multihop(config.data)
    sample = hop_ordered_sample(questions, config.limit)
    counter = count_tokens or default_token_counter(config.model)
    tasks = [EvalTask(id=q.id, system=s, group=q.dataset) for q in sample for s in SYSTEMS]
    return run_eval(
        tasks,
        lambda: _Runner(config, questions, counter),
        EvalConfig(
            out=config.out,
            metrics=METRICS,
            concurrency=config.concurrency,
            quiet=config.quiet,
            aggregations={"peak_context_tokens": "max", "overflows": "sum"},
            extra={"budget": config.agent.budget, "model": str(config.model), "questions": len(sample)},
            title=f"resum (budget {config.agent.budget})",
        ),
    )
