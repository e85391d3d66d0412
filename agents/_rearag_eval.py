"""The ReaRAG evaluation: ReaRAG, one-shot RAG and closed-book on the same questions and the same model."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from goalgraph.agents._qa_metrics import exact_match, supporting_recall, token_f1
from goalgraph.agents.rearag import ReaRAGConfig, build_rearag, run_rearag
from goalgraph.tools.retrieval import (
    EngineConfig,
    HybridIndex,
    IndexConfig,
    MultihopQuestion,
    RetrievalEngine,
    ask,
    load_multihop,
    pooled_passages,
    resolve_model,
    stratified_sample,
)

__all__ = ["SYSTEMS", "RearagEvalConfig", "closed_book", "one_shot_rag", "run_rearag_eval"]

SYSTEMS = ("rearag", "one_shot_rag", "closed_book")
METRICS = ("em", "f1", "sp_recall", "searches", "seconds", "passages")


_ANSWER_CHARS = 60


class ShortAnswer(BaseModel):
    """A closed-book answer."""

    answer: str = Field(max_length=_ANSWER_CHARS, description="The answer in a few words.")


@dataclass(frozen=True)
class RearagEvalConfig:
    """One evaluation run."""

    data: Path
    """The multihop ``questions.jsonl``."""
    out: Path
    """Results JSON."""
    setting: Literal["distractor", "pooled"] = "distractor"
    """Each question's own paragraphs, or all paragraphs of the file in one index."""
    limit: int | None = None
    """Stratified deterministic sample size (None: all)."""
    model: str = "local"
    """Model spec for `goalgraph.llm.model`; ``none`` answers extractively with no LLM."""
    dense: bool = True
    """Hybrid BM25 + dense retrieval (False: BM25 only)."""
    concurrency: int = 1
    """Episodes in flight (the embedded model computes one at a time anyway)."""
    rearag: ReaRAGConfig = field(default_factory=ReaRAGConfig)
    """Loop settings."""
    engine: EngineConfig = field(default_factory=EngineConfig)
    """Retrieval engine settings (shared by ReaRAG and one-shot RAG)."""
    quiet: bool = False
    """No progress bar or table."""


async def closed_book(model: Any, question: str) -> str:
    """The model's answer with no retrieval ("" when it gives no valid one: a wrong answer, scored 0)."""
    from pydantic_ai.exceptions import UnexpectedModelBehavior

    if model is None:
        return ""
    try:
        reply = await ask(
            model,
            ShortAnswer,
            "Answer the question with a short answer only (a name, date or number).",
            f"Question: {question}",
            # The tool-call JSON around the answer takes ~20 tokens, and a token is at least a character:
            # a limit that cannot hold the longest valid answer cuts replies off before they parse (11 of
            # 100 questions failed so at 32 tokens).
            max_tokens=32 + _ANSWER_CHARS,
        )
    except UnexpectedModelBehavior:
        # Like a chain that ends without an answer: the question counts, answered wrongly, rather
        # than dropping out of the closed-book mean as a crashed episode would.
        return ""
    return str(reply.answer)


async def one_shot_rag(engine: RetrievalEngine, question: str) -> Any:
    """Retrieve once with the question and answer once from those passages."""
    return await engine.answer_from_passages(question)


class _Runner:
    def __init__(self, config: RearagEvalConfig, questions: list[MultihopQuestion]) -> None:
        self.config = config
        self.questions = {q.id: q for q in questions}
        self.model = None if config.model == "none" else resolve_model(config.model)
        # The pooled index also serves the distractor setting: a question's subset reuses its vectors.
        corpus = pooled_passages(questions)
        self.index = HybridIndex(corpus, IndexConfig(dense=config.dense))
        self.pooled = RetrievalEngine(self.index, self.model, config.engine)

    def engine_for(self, question: MultihopQuestion) -> RetrievalEngine:
        if self.config.setting == "pooled":
            return self.pooled
        return RetrievalEngine(
            self.index.subset([p.id for p in question.passages]), self.model, self.config.engine
        )

    async def __call__(self, task: Any) -> dict[str, Any]:
        question = self.questions[task.id]
        started = time.perf_counter()
        record: dict[str, Any] = {
            "question": question.question,
            "gold": question.answers,
            "dataset": question.dataset,
        }
        retrieved: list[str] = []
        searches = 0
        if task.system == "closed_book":
            answer = await closed_book(self.model, question.question)
        elif task.system == "one_shot_rag":
            result = await one_shot_rag(self.engine_for(question), question.question)
            answer, searches = result.answer, 1
            retrieved = [p.passage.id for p in result.passages]
        else:
            graph = build_rearag(self.model, self.engine_for(question), config=self.config.rearag)
            final = await run_rearag(graph, question.question)
            answer = final.get("answer", "")
            steps = final.get("chain", [])
            searches = sum(1 for s in steps if s["action"]["function"] == "search")
            retrieved = [pid for s in steps for pid in s.get("retrieved", [])]
            record["status"] = final.get("status")
            record["chain"] = [
                {
                    **{
                        k: v
                        for k, v in s.items()
                        if k in ("thought", "action", "observation", "titles", "error")
                    },
                    # Passage ids (retrieved best first, and those the observation came from): enough to
                    # replay a final-answer rule on the same evidence without rerunning the chain.
                    "retrieved": s.get("retrieved", []),
                    "used": [p["id"] for p in s.get("used", [])],
                }
                for s in steps
            ]
        record["retrieved"] = retrieved
        record["answer"] = answer
        record["metrics"] = {
            "em": exact_match(answer, question.answers),
            "f1": token_f1(answer, question.answers),
            "sp_recall": supporting_recall(retrieved, question.supporting),
            "searches": float(searches),
            "seconds": time.perf_counter() - started,
            # Distinct passages read: recall grows with it, so it is reported beside recall.
            "passages": float(len(set(retrieved))),
        }
        return record


def run_rearag_eval(config: RearagEvalConfig) -> dict[str, Any]:
    """Run the three systems on the sample and write the results file; returns the document."""
    from goalgraph.evals import EvalConfig, EvalTask, run_eval

    questions = load_multihop(config.data)
    sample = stratified_sample(questions, config.limit)
    # The pooled corpus is every paragraph of the file, not only of the sample: the harder, honest setting.
    # (The distractor setting indexes each question's own paragraphs, a subset of the same vectors.)
    corpus_questions = questions
    tasks = [EvalTask(id=q.id, system=s, group=q.dataset) for q in sample for s in SYSTEMS]
    return run_eval(
        tasks,
        lambda: _Runner(config, corpus_questions),
        EvalConfig(
            out=config.out,
            metrics=METRICS,
            concurrency=config.concurrency,
            quiet=config.quiet,
            extra={"setting": config.setting, "model": config.model, "questions": len(sample)},
            title=f"rearag ({config.setting})",
        ),
    )
