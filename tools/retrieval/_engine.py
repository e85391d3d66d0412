"""The retrieval engine: `retrieve(query, k)` and `answer_from_passages(query)` (retrieve, then answer)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from goalgraph.llm import LocalModel
from goalgraph.traces import SpanKind, set_output, start_span

from ._compare import compare_by_year
from ._extract import answer_kind, extract_candidates
from ._index import PassageIndex, ScoredPassage
from ._llm import ask, choice_model, choice_tokens

__all__ = ["EngineAnswer", "EngineConfig", "RetrievalEngine"]

_CHOICE_INSTRUCTIONS = (
    "You answer a question using only the given passages. "
    "Pick the option that the passages support and the passage number that contains it."
)
_SCORING_INSTRUCTIONS = "You answer a question using only the given passages."


@dataclass(frozen=True)
class EngineConfig:
    """How the engine retrieves and answers."""

    k: int = 5
    """Passages retrieved per query."""
    options: int = 6
    """Answer candidates offered to the model (its output is constrained to them)."""
    passage_chars: int = 320
    """Characters of each passage shown to the model."""
    max_tokens: int = 32
    """Generation limit for the reply's JSON around the answer (room for the longest option is added)."""
    reader: Literal["likelihood", "choice"] = "likelihood"
    """How the model picks among the options: ``likelihood``, the option it finds most likely as its answer
    (per token), where the model can score text (the embedded one); ``choice``, constrained generation of
    one option and its passage (always so for a served model)."""
    compare_years: bool = True
    """Decide temporal comparisons ("Who was born first, A or B?") by the years in the options' own
    passages, falling back to the model when a year is missing (see `compare_by_year`)."""


class EngineAnswer(BaseModel):
    """The engine's answer to one (sub-)query, with the passages behind it."""

    query: str = Field(description="The query that was answered.")
    answer: str = Field(description="Short answer; empty when nothing was retrieved.")
    used: list[str] = Field(default_factory=list, description="Ids of the passages the answer came from.")
    passages: list[ScoredPassage] = Field(
        default_factory=list, description="Everything retrieved, best first."
    )
    options: list[str] = Field(default_factory=list, description="The candidates the model chose among.")

    def observation(self) -> str:
        """The text an agent sees: the answer and the titles it came from."""
        if not self.passages:
            return "No passages found."
        titles = {p.passage.id: p.passage.title for p in self.passages}
        source = ", ".join(titles[i] for i in self.used if i in titles)
        return f"{self.answer} (from {source})" if source else self.answer


def _rerank(hits: list[ScoredPassage]) -> list[ScoredPassage]:
    return [h if h.rank == r else h.model_copy(update={"rank": r}) for r, h in enumerate(hits)]


def render_passages(passages: list[ScoredPassage], limit: int) -> str:
    """Numbered passages, each cut to `limit` characters."""
    return "\n".join(f"[{i}] {p.passage.render(limit)}" for i, p in enumerate(passages, start=1))


class RetrievalEngine:
    """Retrieval plus reading over one passage index, the model answering from the passages only.

        engine = RetrievalEngine(HybridIndex(passages), model=goalgraph.llm.model("local"))
        result = await engine.answer_from_passages("Who wrote The Age of Reason?")
        result.answer, result.used                    # "Thomas Paine", [passage ids]

    With ``model=None`` the engine answers extractively (its best-scored candidate).
    """

    def __init__(self, index: PassageIndex, model: Any = None, config: EngineConfig = EngineConfig()) -> None:
        """Serve `index`; `model` is a pydantic-ai model (or None for extractive answers)."""
        self.index = index
        self.model = model
        self.config = config

    def retrieve(
        self, query: str, k: int | None = None, context: str | None = None, exclude: Collection[str] = ()
    ) -> list[ScoredPassage]:
        """The `k` (default `config.k`) best passages for `query`, leaving out the ids in `exclude`.

        With `context` (e.g. the main question a sub-query serves), the query's ranking and the
        context's are fused by reciprocal rank, so a terse sub-query is read in the light of the task.
        `exclude` lets an iterative agent ask for passages it has not seen yet.
        """
        k = k or self.config.k
        depth = k + len(exclude)
        if not context or not context.strip():
            return _rerank([h for h in self.index.search(query, depth) if h.passage.id not in exclude][:k])
        fused: dict[str, tuple[float, ScoredPassage]] = {}
        for ranking in (self.index.search(query, 3 * depth), self.index.search(context, 3 * depth)):
            for hit in ranking:
                if hit.passage.id in exclude:
                    continue
                score = fused.get(hit.passage.id, (0.0, hit))[0] + 1.0 / (60.0 + hit.rank + 1)
                fused[hit.passage.id] = (score, hit)
        best = sorted(fused.values(), key=lambda item: (-item[0], item[1].passage.id))[:k]
        return [ScoredPassage(passage=h.passage, score=s, rank=r) for r, (s, h) in enumerate(best)]

    async def answer_from_passages(
        self, query: str, k: int | None = None, context: str | None = None, exclude: Collection[str] = ()
    ) -> EngineAnswer:
        """Retrieve for `query` (see `retrieve`), then answer `query` from those passages only."""
        with start_span(
            "answer_from_passages", kind=SpanKind.CHAIN, input={"query": query, "context": context}
        ) as span:
            passages = self.retrieve(query, k, context, exclude)
            result = await self.read(query, passages)
            set_output(span, {"answer": result.answer, "used": result.used})
            return result

    async def read(self, query: str, passages: list[ScoredPassage]) -> EngineAnswer:
        """Answer `query` from the given passages (the model picks among extracted candidates)."""
        if not passages:
            return EngineAnswer(query=query, answer="", passages=[])
        candidates = extract_candidates(query, [p.passage for p in passages], self.config.options)
        if not candidates:
            return EngineAnswer(query=query, answer="", passages=passages)
        options = [c.text for c in candidates]
        chosen, source = candidates[0].text, candidates[0].passage_id
        decided = self._compare_years(query, passages, options)
        if decided is not None:
            return EngineAnswer(
                query=query, answer=decided[0], used=decided[1], passages=passages, options=options
            )
        if self.model is not None and len(options) > 1:
            if self.config.reader == "likelihood" and isinstance(self.model, LocalModel):
                chosen = await self._most_likely(self.model, query, passages, options)
                source = next(c.passage_id for c in candidates if c.text == chosen)
            else:
                chosen, source = await self._choose(query, passages, options)
        holder = next((c.passage_id for c in candidates if c.text == chosen), source)
        used = list(dict.fromkeys([source, holder]))
        return EngineAnswer(query=query, answer=chosen, used=used, passages=passages, options=options)

    def _compare_years(
        self, query: str, passages: list[ScoredPassage], options: list[str]
    ) -> tuple[str, list[str]] | None:
        """A temporal comparison ("born first, A or B?") decided by the years in the options' passages: the
        option and the passages read, or None (not such a question, or a year is missing) for the model."""
        if not self.config.compare_years or answer_kind(query) != "choice":
            return None
        with start_span(
            "compare_years", kind=SpanKind.TOOL, input={"question": query, "options": options}
        ) as span:
            decided = compare_by_year(query, options, [p.passage for p in passages])
            if decided is None:
                set_output(span, None)
                return None
            answer, readings = decided
            set_output(span, {"answer": answer, "years": {r.option: r.value for r in readings}})
        return answer, list(dict.fromkeys(r.passage_id for r in readings))

    def _prompt(self, query: str, passages: list[ScoredPassage], request: str) -> str:
        """The numbered passages, the question, and what to reply with."""
        return (
            f"Passages:\n{render_passages(passages, self.config.passage_chars)}\n\n"
            f"Question: {query}\n{request}"
        )

    async def _most_likely(
        self, model: LocalModel, query: str, passages: list[ScoredPassage], options: list[str]
    ) -> str:
        """The option `model` finds most likely as its answer from the passages, per token."""
        prompt = self._prompt(query, passages, "Answer with a short phrase from the passages.")
        with start_span(
            "score_options", kind=SpanKind.LLM, input={"question": query, "options": options}
        ) as span:
            scores = await model.score(_SCORING_INSTRUCTIONS, prompt, options)
            means = [score.mean for score in scores]
            set_output(span, dict(zip(options, means, strict=True)))
        # Ties keep the extractive ranking's order.
        return options[max(range(len(options)), key=lambda i: (means[i], -i))]

    async def _choose(self, query: str, passages: list[ScoredPassage], options: list[str]) -> tuple[str, str]:
        """The option and the passage the model generates, constrained to the offered ones."""
        output_type = choice_model("PassageAnswer", options, sources=len(passages))
        prompt = self._prompt(query, passages, f"Options: {'; '.join(options)}")
        reply: Any = await ask(
            self.model,
            output_type,
            _CHOICE_INSTRUCTIONS,
            prompt,
            max_tokens=choice_tokens(options, self.config.max_tokens),
        )
        return reply.answer, passages[reply.source - 1].passage.id
