"""The node functions of the ReaRAG graph: think (Thought + Action), search (Observation), short answer."""

from __future__ import annotations

import json
from typing import Any, NamedTuple

from goalgraph.agents._qa_metrics import normalize_answer
from goalgraph.agents._rearag_types import (
    Finish,
    FinishStep,
    ReaRAGConfig,
    ReaRAGState,
    Search,
    SearchStep,
    Step,
)
from goalgraph.tools.retrieval import (
    Passage,
    RetrievalEngine,
    ScoredPassage,
    answer_kind,
    ask,
    choice_model,
    choice_tokens,
    content_tokens,
    extract_candidates,
)
from goalgraph.traces import SpanKind, set_output, start_span

__all__ = ["SYSTEM_PROMPT", "ReaRAGSteps", "gathered_evidence", "ground_query", "render_chain"]

SYSTEM_PROMPT = """You answer a question by searching step by step. Each step is a short thought and one action:
search (query: the name and fact to look up) or finish (answer: the final answer).
Search for the first fact the question depends on, then use each observation in the next query.
Finish only when the observations contain the answer. Never answer from memory.
Example of the format (another question):
Question: In which country was the director of the film Jaws born?
Step 1: {"thought": "I need the director of Jaws.", "action": {"function": "search", "query": "director of Jaws"}}
Observation 1: Steven Spielberg
Step 2: {"thought": "Now his birthplace.", "action": {"function": "search", "query": "Steven Spielberg born"}}
Observation 2: Cincinnati, Ohio, United States
Step 3: {"thought": "He was born in the United States.", "action": {"function": "finish", "answer": "United States"}}"""

SEED_THOUGHT = "First I search for the question itself."

SHORT_ANSWER_PROMPT = (
    "You have searched to answer the question. Answer it from the searches: choose the final answer among the "
    "options, with no explanation."
)


def render_chain(question: str, chain: list[dict[str, Any]]) -> str:
    """The question and the steps so far, as the model reads them.

    Earlier steps appear in the JSON shape the model writes, so that a thought ends where its string
    closes (an inline ``thought: ... action: ...`` line invites the model to write the action into the
    thought). A search shows the query the model wrote, not the grounded and expanded one that ran: a
    small model copies its last query, and copying the expanded one would pile up every past answer.
    """
    lines = [f"Question: {question}"]
    for number, step in enumerate(chain, start=1):
        action = dict(step["action"])
        if action["function"] == "search" and step.get("asked"):
            action["query"] = step["asked"]
        shown = {"thought": step["thought"], "action": action}
        lines.append(f"Step {number}: {json.dumps(shown, ensure_ascii=False)}")
        if step.get("observation") is not None:
            lines.append(f"Observation {number}: {step['observation']}")
    return "\n".join(lines)


class ReaRAGSteps:
    """The graph's nodes and routers, bound to a model, an engine and a config."""

    def __init__(self, model: Any, engine: RetrievalEngine, config: ReaRAGConfig) -> None:
        """Bind the nodes to `model` (writes steps and the short answer) and `engine` (answers searches)."""
        self.model = model
        self.engine = engine
        self.config = config

    # -- think ---------------------------------------------------------------------------------------
    async def think(self, state: ReaRAGState) -> dict[str, Any]:
        """Thought + Action: ask the model for the next typed step and check that it is usable."""
        chain = state.get("chain", [])
        number = len(chain) + 1
        with start_span(f"rearag.think {number}", kind=SpanKind.CHAIN, input={"step": number}) as span:
            if len(chain) >= self.config.max_steps:
                set_output(span, "chain limit reached")
                return {"status": "max_steps", "pending": None}
            if not chain and self.config.seed_search:
                seed = {
                    "thought": SEED_THOUGHT,
                    "query": state["question"],
                    "asked": state["question"],
                    "grounded": state["question"],
                    "seed": True,
                }
                set_output(span, {"seed": state["question"]})
                return {"pending": seed}
            prompt = render_chain(state["question"], chain)
            if state.get("feedback"):
                prompt += f"\nFeedback: {state['feedback']}"
            prompt += f"\nWrite step {number}."
            try:
                # Like the paper's allowed actions, but enforced by the grammar: the first step can only
                # search, and once a search brought nothing new the chain has converged and can only finish.
                searched = any(s["action"]["function"] == "search" and not s.get("seed") for s in chain)
                converged = bool(state.get("converged")) or (bool(chain) and bool(chain[-1].get("stale")))
                step_type: Any = SearchStep if not searched else FinishStep if converged else Step
                # A retry samples (seeded, so runs repeat): a greedy retry would repeat the rejected step.
                retries = state.get("retries", 0)
                step = await ask(
                    self.model,
                    step_type,
                    SYSTEM_PROMPT,
                    prompt,
                    max_tokens=self.config.step_tokens,
                    temperature=self.config.retry_temperature if retries else 0.0,
                    seed=retries or None,
                )
            except Exception as error:
                # An unparseable or failed generation is an invalid action: retried with feedback like one.
                update = self._invalid(
                    state, f"Your last reply was not a valid step ({type(error).__name__})."
                )
                set_output(span, update)
                return update
            search = self._search_queries(step, state) if isinstance(step.action, Search) else None
            if search is not None and self._converges(search, state):
                # Asking the same thing again cannot bring anything new: the chain has converged, and
                # the next step may only finish (the paper's model stops there on its own).
                update = {"converged": True, "pending": None, "feedback": None, "retries": 0}
                set_output(span, {"thought": step.thought, "repeated": step.action.query})
                return update
            problem = self._problem(step, state, search)
            if problem:
                update = self._invalid(state, problem)
                set_output(span, update)
                return update
            update = self._accept(step, state, search)
            set_output(
                span, {"thought": step.thought, "action": update.get("pending") or step.action.model_dump()}
            )
            return update

    def _problem(self, step: Any, state: ReaRAGState, search: SearchQueries | None) -> str | None:
        searches = [s for s in state.get("chain", []) if s["action"]["function"] == "search"]
        if isinstance(step.action, Finish):
            if not searches:
                return "You must search before you finish."
            if not step.action.answer.strip():
                return "The finish answer is empty; give the answer."
            return None
        if search is None or not normalize_answer(search.query):
            return "The search query is empty or names nothing from the question; write what to search for."
        return None

    def _converges(self, search: SearchQueries, state: ReaRAGState) -> bool:
        """The model asks again for what it asked before (its grounded query, before expansion), past
        the bridge repeats allowed: nothing new can come of it, the chain may only finish.

        Comparing the expanded queries would miss every repeat: the expansion appends the last
        observation, which differs each time, so a model that keeps writing the same step would search
        on with ever worse passages (the ones not seen yet) until the chain limit.
        """
        chain = state.get("chain", [])
        query = normalize_answer(search.grounded)
        asked = [
            normalize_answer(s.get("grounded") or s["action"].get("query") or "")
            for s in chain
            if s["action"]["function"] == "search"
        ]
        if not query or query not in asked:
            return False
        # A repeat may run as a bridge hop only when the expansion makes it a search not run before.
        searched = {normalize_answer(s["action"].get("query") or "") for s in chain}
        expanded = normalize_answer(search.query)
        bridge = self.config.expand_queries and expanded not in searched
        return not bridge or asked.count(query) > self.config.bridge_repeats

    def _search_queries(self, step: Any, state: ReaRAGState) -> SearchQueries:
        """A search step's grounded query and the query that runs (grounded, expanded with the last
        observation), computed once for the repeat check, the validity check and the accepted step."""
        grounded = self._grounded(step.action, state, step.thought)
        return SearchQueries(grounded=grounded, query=self._expanded(grounded, state.get("chain", [])))

    def _grounded(self, action: Search, state: ReaRAGState, thought: str = "") -> str:
        """The model's query with made-up words dropped (the thought's when the query keeps none)."""
        chain = state.get("chain", [])
        query = action.query.strip()
        if self.config.ground_queries:
            query = ground_query(query, state["question"], chain, self.config.query_words)
            if not query:
                # The thought usually says what is needed even when the query field is junk.
                query = ground_query(thought, state["question"], chain, self.config.query_words)
        return query

    def _expanded(self, query: str, chain: list[dict[str, Any]]) -> str:
        if self.config.expand_queries and chain:
            last = chain[-1].get("answer") or ""
            if last and normalize_answer(last) not in normalize_answer(query):
                query = f"{query} {last}".strip()
        return query

    def _invalid(self, state: ReaRAGState, feedback: str) -> dict[str, Any]:
        retries = state.get("retries", 0) + 1
        if retries > self.config.retry_max:
            return {"status": "invalid_action", "pending": None, "retries": retries, "feedback": feedback}
        return {"retries": retries, "feedback": feedback, "pending": None}

    def _accept(self, step: Any, state: ReaRAGState, search: SearchQueries | None) -> dict[str, Any]:
        if isinstance(step.action, Finish):
            record = {"thought": step.thought, "action": step.action.model_dump(), "observation": None}
            return {
                "status": "finished",
                "reference_answer": step.action.answer.strip(),
                "pending": None,
                "retries": 0,
                "feedback": None,
                "chain": [record],
            }
        assert search is not None, "a search step's queries are computed before it is accepted"
        pending = {
            "thought": step.thought,
            "query": search.query,
            "asked": step.action.query,
            "grounded": search.grounded,
        }
        return {"pending": pending, "retries": 0, "feedback": None}

    def after_think(self, state: ReaRAGState) -> str:
        """Route: run the pending search, retry an invalid step, or go to the short answer."""
        if state.get("status", "running") != "running":
            return "answer"
        return "search" if state.get("pending") else "think"

    # -- search --------------------------------------------------------------------------------------
    async def search(self, state: ReaRAGState) -> dict[str, Any]:
        """Observation: the engine answers the query from retrieved passages."""
        pending = state["pending"] or {}
        query = str(pending.get("query", ""))
        record: dict[str, Any] = {
            "thought": pending.get("thought", ""),
            "action": {"function": "search", "query": query},
            "asked": pending.get("asked", query),
            "grounded": pending.get("grounded", query),
        }
        if pending.get("seed"):
            record["seed"] = True
        with start_span("rearag.search", kind=SpanKind.CHAIN, input={"query": query}) as span:
            try:
                seen = {pid for s in state.get("chain", []) for pid in s.get("retrieved", [])}
                # Each search brings passages the chain has not seen (the earlier ones are in its observations).
                exclude = seen if self.config.new_passages_only else set()
                result = await self.engine.answer_from_passages(
                    query, context=self._context(state), exclude=exclude
                )
            except Exception as error:
                errors = state.get("engine_errors", 0) + 1
                record.update(
                    observation=f"Search failed ({type(error).__name__}).",
                    answer="",
                    retrieved=[],
                    used=[],
                    error=f"{type(error).__name__}: {error}",
                )
                set_output(span, record["error"])
                update: dict[str, Any] = {"chain": [record], "pending": None, "engine_errors": errors}
                if errors >= self.config.engine_errors_max:
                    update["status"] = "engine_error"
                return update
            used = [p.passage for p in result.passages if p.passage.id in result.used]
            answers = {normalize_answer(s.get("answer") or "") for s in state.get("chain", [])}
            # Nothing new (no unseen passage, or an answer already observed): the chain has converged.
            stale = (
                not result.passages
                or all(p.passage.id in seen for p in result.passages)
                or normalize_answer(result.answer) in answers
            )
            record.update(
                observation=result.observation(),
                answer=result.answer,
                retrieved=[p.passage.id for p in result.passages],
                titles=[p.passage.title for p in result.passages],
                stale=stale,
                used=[p.model_dump() for p in used],
                passages=[p.passage.model_dump() for p in result.passages if p.passage.id not in result.used],
            )
            set_output(span, record["observation"])
            return {"chain": [record], "pending": None, "engine_errors": 0}

    def _context(self, state: ReaRAGState) -> str | None:
        """The main question: every sub-query is ranked together with it (the bridge entity is in the query)."""
        return state["question"] if self.config.contextual_search else None

    def after_search(self, state: ReaRAGState) -> str:
        """Route: think again, or answer after too many engine failures."""
        return "think" if state.get("status", "running") == "running" else "answer"

    # -- short answer --------------------------------------------------------------------------------
    async def short_answer(self, state: ReaRAGState) -> dict[str, Any]:
        """The paper's short-answer step: the final answer from all the searches (and the finish answer)."""
        question, chain = state["question"], state.get("chain", [])
        with start_span(
            "rearag.short_answer", kind=SpanKind.CHAIN, input={"status": state.get("status")}
        ) as span:
            if self.config.answer_from_evidence:
                answer = await self._read_evidence(question, chain, span)
                if answer:
                    set_output(span, answer)
                    return {"answer": answer}
            options = self.options(question, chain, state.get("reference_answer"))
            answer = options[0] if options else (state.get("reference_answer") or "")
            if self.model is not None and len(options) > 1:
                searches = "\n".join(
                    f"Search: {s['action']['query']} -> {s.get('observation')}"
                    for s in chain
                    if s["action"]["function"] == "search"
                )
                prompt = f"Searches:\n{searches}\n\nQuestion: {question}\nOptions: {'; '.join(options)}"
                try:
                    reply: Any = await ask(
                        self.model,
                        choice_model("ShortAnswer", options),
                        SHORT_ANSWER_PROMPT,
                        prompt,
                        max_tokens=choice_tokens(options, self.config.answer_tokens),
                    )
                    answer = reply.answer
                except Exception as error:
                    # The best-ranked option stands in when the model cannot produce the short answer.
                    span.set_attribute("rearag.short_answer.error", f"{type(error).__name__}: {error}")
            set_output(span, answer)
            return {"answer": answer}

    async def _read_evidence(self, question: str, chain: list[dict[str, Any]], span: Any) -> str:
        """The engine's answer to the question from the passages the chain gathered ("" if none)."""
        evidence = gathered_evidence(chain, self.engine.config.k)
        span.set_attribute("rearag.evidence", [p.passage.id for p in evidence])
        if not evidence:
            return ""
        try:
            return (await self.engine.read(question, evidence)).answer
        except Exception as error:
            # The observations' options stand in when the evidence cannot be read.
            span.set_attribute("rearag.evidence.error", f"{type(error).__name__}: {error}")
            return ""

    def options(self, question: str, chain: list[dict[str, Any]], reference: str | None) -> list[str]:
        """Short-answer candidates: the grounded finish answer, the observations (latest first), then spans."""
        kind = answer_kind(question)
        passages = chain_passages(chain, latest_first=True)
        spans = [c.text for c in extract_candidates(question, passages, self.config.options)]
        if kind in ("yesno", "choice"):
            typed = spans or [c.text for c in extract_candidates(question, [], self.config.options)]
            named = _named_option(reference or "", typed)
            return _dedup([*([named] if named else []), *typed])[: self.config.options]
        found = " ".join(normalize_answer(p.text + " " + p.title) for p in passages)
        observed = [s.get("answer") or "" for s in reversed(chain) if s["action"]["function"] == "search"]
        grounded = (
            [reference]
            if reference and normalize_answer(reference) and normalize_answer(reference) in found
            else []
        )
        if not grounded and reference:
            # A finish answer worded as a sentence ("The USS Missouri (BB-63) is ...") is not a span of
            # the passages, but the observation it names is the answer it means.
            named = _named_option(reference, observed)
            grounded = [named] if named else []
        return _dedup([*grounded, *observed, *spans])[: self.config.options]


class SearchQueries(NamedTuple):
    """One search step's queries."""

    grounded: str
    """The model's query with made-up words dropped: what repeats are compared on."""
    query: str
    """The query that runs: the grounded one expanded with the last observation."""


def chain_passages(chain: list[dict[str, Any]], *, latest_first: bool) -> list[Passage]:
    """The chain's passages: those its observations came from, then the rest it retrieved; within each,
    step by step in chain order or latest step first (repeats kept)."""
    steps = list(reversed(chain)) if latest_first else chain
    return [
        Passage.model_validate(raw)
        for key in ("used", "passages")
        for step in steps
        for raw in step.get(key, [])
    ]


def gathered_evidence(chain: list[dict[str, Any]], limit: int) -> list[ScoredPassage]:
    """At most `limit` passages of the chain: those its observations came from (in chain order), then the
    rest of what it retrieved (in chain order, the question seed's first)."""
    picked: dict[str, Passage] = {}
    for passage in chain_passages(chain, latest_first=False):
        picked.setdefault(passage.id, passage)
    chosen = list(picked.values())[:limit]
    return [ScoredPassage(passage=p, score=0.0, rank=r) for r, p in enumerate(chosen)]


def ground_query(query: str, question: str, chain: list[dict[str, Any]], limit: int) -> str:
    """The query's words that occur in the question or an observation, in order, at most `limit`.

    A small model's query often carries words it made up (or copied from the prompt's example); an
    entity it could not have read cannot be searched for meaningfully, so those words are dropped.
    """
    known = set(content_tokens(question))
    for step in chain:
        known.update(content_tokens(str(step.get("observation") or "")))
    kept: list[str] = []
    grounded = 0
    for word in query.replace('"', " ").split():
        token = word.lower().strip(".,;:!?'’()")
        if not token:
            continue
        content = bool(content_tokens(token))
        if content and (token not in known or grounded >= limit):
            continue
        grounded += content
        kept.append(word.strip(".,;:!?()"))
    # Function words only matter between the kept content words.
    while kept and not content_tokens(kept[0]):
        kept.pop(0)
    while kept and not content_tokens(kept[-1]):
        kept.pop()
    return " ".join(kept) if grounded else ""


def _named_option(reference: str, options: list[str]) -> str | None:
    """The option a free-text finish answer names first ("Yes, both are ..." names ``yes``), if any."""
    words = normalize_answer(reference).split()
    best: tuple[int, str] | None = None
    for option in options:
        key = normalize_answer(option).split()
        if not key:
            continue
        at = next((i for i in range(len(words)) if words[i : i + len(key)] == key), None)
        if at is not None and (best is None or at < best[0]):
            best = (at, option)
    return best[1] if best else None


def _dedup(values: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = normalize_answer(value)
        if value and key and key not in seen:
            seen.add(key)
            out.append(value)
    return out
