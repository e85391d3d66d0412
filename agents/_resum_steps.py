"""The nodes of the ReSum graph: act (one typed step), tool (search / visit), summarize, answer."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from goalgraph.agents._qa_metrics import normalize_answer
from goalgraph.agents._rearag_steps import ground_query
from goalgraph.agents._resum_types import ReSumConfig, ReSumState, Summary, evidence_model, step_model
from goalgraph.tools.retrieval import (
    Passage,
    RetrievalEngine,
    ask_measured,
    choice_model,
    choice_tokens,
    content_tokens,
    extract_candidates,
)
from goalgraph.traces import SpanKind, set_output, start_span

__all__ = ["AGENT_PROMPT", "SUMMARY_PROMPT", "ReSumSteps", "render_context"]

TokenCounter = Callable[[str], int]

AGENT_PROMPT = """You answer a question by searching a document collection. Each step: a short thought, then one action.
search: queries (1 to 3 short queries naming entities from the question or results).
visit: doc (a title from the results) and goal (what to find in it).
answer: the final answer, once the results contain it."""

SUMMARY_PROMPT = """Summarize the search progress for the question. Facts: only what the results state, with names,
dates and numbers. Missing: what is still needed. Next: what to search next."""

EXTRACT_PROMPT = (
    "You read a document for a goal. Choose the numbers of the sentences that give evidence for the goal."
)

ANSWER_PROMPT = "Answer the question from the search results: choose the final answer among the options."
_MESSAGE_OVERHEAD = 6
_NO_RETRY = 0
"""Every model call here is sized to the budget, and an in-call retry would send the prompt again with
the failed reply and the error appended, past that size. So a call is never retried: a failed step is
fed back as a counted round, a failed summary or extraction falls back, a failed answer takes the top
option, and each of those prompts is again sized to the budget."""


def render_context(question: str, summary: str | None, messages: list[dict[str, str]]) -> str:
    """The user message the agent reads: the question, the summary it resumes from, the steps since."""
    lines = [f"Question: {question}"]
    if summary:
        lines.append(f"Summary of the work so far:\n{summary}")
    lines.extend(m["content"] for m in messages)
    return "\n".join(lines)


class ReSumSteps:
    """The graph's nodes, bound to the agent model, the summarizer, the engine and a token counter."""

    def __init__(
        self,
        model: Any,
        summarizer: Any,
        engine: RetrievalEngine,
        count_tokens: TokenCounter,
        config: ReSumConfig,
    ) -> None:
        """Bind the nodes; `count_tokens` measures text in the agent model's tokens."""
        self.model = model
        self.summarizer = summarizer
        self.engine = engine
        self.count = count_tokens
        self.config = config
        self.overhead = config.protocol_tokens + 2 * _MESSAGE_OVERHEAD
        """Tokens the backend adds around instructions and prompt (chat template, tool protocol).

        Starts at the configured reserve and grows to the largest overhead the model has reported
        (prompt tokens it counted minus the tokens of our text), so the estimate keeps up with the
        real backend."""

    def prompt_tokens(self, instructions: str, prompt: str) -> int:
        """Estimated prompt tokens of one call: instructions + prompt + the backend's overhead."""
        return self.count(instructions) + self.count(prompt) + self.overhead

    def calibrate(self, instructions: str, prompt: str, reported: int) -> None:
        """Learn the backend's overhead from a prompt size the model reported."""
        if reported > 0:
            self.overhead = max(self.overhead, reported - self.count(instructions) - self.count(prompt))

    def context_tokens(self, state: ReSumState) -> int:
        """Tokens of the agent's next call: system + context + the reply it may generate."""
        return self.prompt_tokens(AGENT_PROMPT, self._prompt(state)) + self.config.step_tokens

    @staticmethod
    def _prompt(state: ReSumState) -> str:
        return (
            render_context(state["question"], state.get("summary"), state.get("messages", []))
            + "\nWrite the next step."
        )

    # -- act -----------------------------------------------------------------------------------------
    async def act(self, state: ReSumState) -> dict[str, Any]:
        """Decide: summarize (threshold / period), answer (limits), or ask the model for a step."""
        config, rounds = self.config, state.get("rounds", 0)
        tokens = self.context_tokens(state)
        with start_span(
            f"resum.act {rounds + 1}", kind=SpanKind.CHAIN, attributes={"resum.context_tokens": tokens}
        ) as span:
            messages = state.get("messages", [])
            if config.summarize and rounds >= config.max_rounds:
                # The answer step fits its own prompt to the budget; summarizing first would only trade
                # the latest results for a compressed copy (and cost a call).
                return {"route": "answer", "status": "max_rounds"}
            since = sum(1 for m in messages if m.get("role") == "tool")
            periodic = config.summarize_every is not None and since >= config.summarize_every
            if config.summarize and messages and (tokens >= config.threshold * config.budget or periodic):
                set_output(span, "summarize")
                return {"route": "summarize"}
            if tokens > config.budget:
                peak = max(state.get("peak_tokens", 0), tokens)
                if config.summarize:
                    # Even the restart message does not fit: the only move left is to answer.
                    return {"route": "answer", "status": "budget", "peak_tokens": peak}
                set_output(span, "overflow")
                return {
                    "route": "answer",
                    "status": "overflow",
                    "overflows": state.get("overflows", 0) + 1,
                    "peak_tokens": peak,
                }
            if rounds >= config.max_rounds:
                return {"route": "answer", "status": "max_rounds"}
            peak = max(state.get("peak_tokens", 0), tokens)
            prompt = self._prompt(state)
            try:
                # After a refused answer the grammar offers no answer until a new result comes in.
                informed = (
                    bool(state.get("summary")) or any(m.get("role") == "tool" for m in messages)
                ) and not (messages and messages[-1].get("role") == "user")
                reply = await ask_measured(
                    self.model,
                    step_model(state.get("titles", []), informed),
                    AGENT_PROMPT,
                    prompt,
                    max_tokens=config.step_tokens,
                    retries=_NO_RETRY,
                )
            except Exception as error:
                return self._feedback(
                    state, f"Feedback: the last step was not valid ({type(error).__name__}).", peak
                )
            step: Any = reply.output
            self.calibrate(AGENT_PROMPT, prompt, reply.input_tokens)
            # The peak is what the model really held: its own prompt count plus the reply it was allowed.
            peak = max(peak, reply.input_tokens + config.step_tokens)
            span.set_attribute("resum.prompt_tokens", reply.input_tokens)
            action = step.action.model_dump()
            set_output(span, {"thought": step.thought, "action": action})
            event = {
                "kind": "step",
                "round": rounds + 1,
                "thought": step.thought,
                "action": action,
                "tokens": tokens,
                "prompt_tokens": reply.input_tokens,
            }
            if action["tool"] == "answer":
                found = normalize_answer(" ".join(self._evidence(state)))
                proposed = normalize_answer(action["answer"])
                if not proposed or proposed not in found:
                    # Only an answer the results state is accepted; anything else is a guess, so search on.
                    text = f"Feedback: {action['answer']!r} is not in the results; search more."
                    return self._feedback(state, text, peak) | {
                        "trajectory": [event, {"kind": "invalid", "feedback": text}]
                    }
                return {
                    "route": "answer",
                    "status": "answered",
                    "proposed": action["answer"],
                    "peak_tokens": peak,
                    "trajectory": [event],
                }
            return {
                "route": "tool",
                "pending": {"thought": step.thought, **action},
                "peak_tokens": peak,
                "trajectory": [event],
            }

    def _evidence(self, state: ReSumState) -> list[str]:
        # The summary's facts, not its rendering: its gaps and next steps name what is *not* known, and
        # its labels ("Missing: ...") would read as answer candidates.
        facts = list(state.get("facts", []))
        return facts + [m["content"] for m in state.get("messages", []) if m.get("role") == "tool"]

    def _feedback(self, state: ReSumState, text: str, peak: int) -> dict[str, Any]:
        messages = [*state.get("messages", []), {"role": "user", "content": text}]
        return {
            "route": "act",
            "messages": messages,
            "rounds": state.get("rounds", 0) + 1,
            "peak_tokens": peak,
            "trajectory": [{"kind": "invalid", "round": state.get("rounds", 0) + 1, "feedback": text}],
        }

    def route(self, state: ReSumState) -> str:
        """The next node, as chosen by the last node."""
        return state.get("route", "act")

    # -- tools ---------------------------------------------------------------------------------------
    async def tool(self, state: ReSumState) -> dict[str, Any]:
        """Run the pending search or visit and append the call and its result to the context."""
        pending = dict(state.get("pending") or {})
        rounds = state.get("rounds", 0) + 1
        with start_span(f"resum.{pending.get('tool')} {rounds}", kind=SpanKind.TOOL, input=pending) as span:
            titles = list(state.get("titles", []))
            retrieved: list[str] = []
            if pending.get("tool") == "search":
                call, result, hits = self._search(
                    state, pending.get("queries", []), str(pending.get("thought", ""))
                )
                for hit in hits:
                    retrieved.append(hit.id)
                    if hit.title not in titles:
                        titles.append(hit.title)
            else:
                call, result, ids = await self._visit(
                    state, str(pending.get("doc", "")), str(pending.get("goal", ""))
                )
                retrieved.extend(ids)
            set_output(span, result)
            messages = [
                *state.get("messages", []),
                {"role": "assistant", "content": f"Step {rounds}: {call}"},
                {"role": "tool", "content": f"Result {rounds}: {result}"},
            ]
            event = {"kind": "tool", "round": rounds, "call": call, "result": result}
            return {
                "messages": messages,
                "rounds": rounds,
                "titles": titles,
                "retrieved": retrieved,
                "pending": None,
                "route": "act",
                "trajectory": [event],
            }

    def _search(
        self, state: ReSumState, queries: list[str], thought: str = ""
    ) -> tuple[str, str, list[Passage]]:
        context: list[dict[str, Any]] = [{"observation": m["content"]} for m in state.get("messages", [])]
        if state.get("summary"):
            context.append({"observation": state["summary"]})
        grounded = [g for q in queries if (g := ground_query(q, state["question"], context, 12))]
        # Words the model could not have read are dropped; with none left, its thought, then the question.
        fallback = ground_query(thought, state["question"], context, 12) or state["question"]
        grounded = list(dict.fromkeys(grounded)) or [fallback]
        lines, hits = [], []
        for query in grounded[:3]:
            for hit in self.engine.retrieve(query, self.config.hits_per_query):
                hits.append(hit.passage)
                lines.append(
                    f"[{hit.passage.title}] {hit.passage.render(self.config.snippet_chars).split(': ', 1)[-1]}"
                )
        call = "search " + json.dumps(grounded[:3])
        return call, ("\n".join(lines) if lines else "No results."), hits

    async def _visit(self, state: ReSumState, doc: str, goal: str) -> tuple[str, str, list[str]]:
        call = f"visit {json.dumps(doc)} for {json.dumps(goal)}"
        passage = self._document(doc)
        if passage is None:
            return call, f"No document titled {doc!r}.", []
        sentences = [
            s.strip()
            for s in passage.text.replace("? ", "?\n").replace(". ", ".\n").splitlines()
            if s.strip()
        ]
        keep = self.config.evidence_sentences
        evidence = sentences
        if len(sentences) > keep:
            # As the paper's visit tool, the model reads the page and extracts the evidence for the goal;
            # it picks sentence numbers (a grammar-checked choice), which keeps the evidence verbatim.
            # The shortlist, best lexical match first, keeps its prompt small.
            wanted = set(content_tokens(goal)) | set(content_tokens(state["question"]))
            order = sorted(
                range(len(sentences)), key=lambda i: (-len(wanted & set(content_tokens(sentences[i]))), i)
            )
            shortlist = sorted(order[: self.config.visit_shortlist])
            evidence = [sentences[i] for i in order[:keep]]
            numbered = "\n".join(f"[{n}] {sentences[i]}" for n, i in enumerate(shortlist, start=1))
            prompt = f"Document: {passage.title}\n{numbered}\n\nGoal: {goal}\nQuestion: {state['question']}"
            try:
                picked: Any = await ask_measured(
                    self.summarizer,
                    evidence_model(len(shortlist), keep),
                    EXTRACT_PROMPT,
                    prompt,
                    max_tokens=8 + 4 * keep,
                    retries=_NO_RETRY,
                )
                chosen = sorted({shortlist[n - 1] for n in picked.output.sentences})
                evidence = [sentences[i] for i in chosen] or evidence
            except Exception:
                # The lexical shortlist's best sentences stand in when the extractor fails.
                pass
        return call, f"Evidence from {passage.title}: {' '.join(evidence)}", [passage.id]

    def _document(self, title: str) -> Passage | None:
        hits = self.engine.retrieve(title, 5)
        for hit in hits:
            if normalize_answer(hit.passage.title) == normalize_answer(title):
                return hit.passage
        return hits[0].passage if hits else None

    # -- summarize -----------------------------------------------------------------------------------
    async def summarize(self, state: ReSumState) -> dict[str, Any]:
        """Compress the context into a Summary (building on the previous one) and restart from it."""
        previous = state.get("summary")
        messages = list(state.get("messages", []))
        number = len(state.get("summaries", [])) + 1
        trigger = self.context_tokens(state)
        with start_span(f"resum.summarize {number}", kind=SpanKind.CHAIN) as span:
            # The summarizer's own input stays within the budget: the oldest steps go first.
            while True:
                prompt = render_context(state["question"], previous, messages) + "\nWrite the summary."
                tokens = self.prompt_tokens(SUMMARY_PROMPT, prompt) + self.config.summary_tokens
                if tokens <= self.config.budget or len(messages) <= 1:
                    break
                messages = messages[2:]
            try:
                measured = await ask_measured(
                    self.summarizer,
                    Summary,
                    SUMMARY_PROMPT,
                    prompt,
                    max_tokens=self.config.summary_tokens,
                    retries=_NO_RETRY,
                )
                text = measured.output.render()
                facts = measured.output.kept_facts()
                if self.summarizer is self.model:
                    self.calibrate(SUMMARY_PROMPT, prompt, measured.input_tokens)
                tokens = max(tokens, measured.input_tokens + self.config.summary_tokens)
            except Exception as error:
                # A failed summary keeps the previous one plus the latest result, so nothing found is lost.
                latest = next((m["content"] for m in reversed(messages) if m.get("role") == "tool"), "")[:300]
                text = "\n".join(x for x in (previous, latest) if x)
                facts = [*state.get("facts", []), *([latest] if latest else [])]
                span.set_attribute("resum.summary.error", f"{type(error).__name__}: {error}")
            set_output(span, text)
            event = {
                "kind": "summary",
                "round": state.get("rounds", 0),
                "summary": text,
                "previous": previous,
                "trigger_tokens": trigger,
                "input_tokens": tokens,
            }
            return {
                "summary": text,
                "facts": facts,
                "summaries": [text],
                "messages": [],
                "route": "act",
                "peak_tokens": max(state.get("peak_tokens", 0), tokens),
                "trajectory": [event],
            }

    # -- answer --------------------------------------------------------------------------------------
    async def answer(self, state: ReSumState) -> dict[str, Any]:
        """The final answer, chosen among candidates found in what the agent still has in context."""
        question, summary = state["question"], state.get("summary")
        messages = list(state.get("messages", []))
        proposed = state.get("proposed") or ""
        with start_span("resum.answer", kind=SpanKind.CHAIN, input={"status": state.get("status")}) as span:
            while True:
                options = self._options(question, self._evidence({**state, "messages": messages}), proposed)
                prompt = f"{render_context(question, summary, messages)}\nOptions: {'; '.join(options)}"
                limit = choice_tokens(options, self.config.answer_tokens)
                tokens = self.prompt_tokens(ANSWER_PROMPT, prompt) + limit
                if tokens <= self.config.budget or not messages:
                    break
                # ReAct's overflow: the oldest turns are cut so the forced answer fits.
                messages = messages[2:]
            answer = options[0] if options else proposed
            if len(options) > 1:
                try:
                    final: Any = await ask_measured(
                        self.model,
                        choice_model("FinalAnswer", options),
                        ANSWER_PROMPT,
                        prompt,
                        max_tokens=limit,
                        retries=_NO_RETRY,
                    )
                    answer = final.output.answer
                    tokens = max(tokens, final.input_tokens + limit)
                except Exception as error:
                    span.set_attribute("resum.answer.error", f"{type(error).__name__}: {error}")
            set_output(span, answer)
            status = state.get("status") or "answered"
            return {
                "answer": answer,
                "status": status,
                "peak_tokens": max(state.get("peak_tokens", 0), tokens),
                "trajectory": [{"kind": "answer", "answer": answer, "options": options, "status": status}],
            }

    def _options(self, question: str, texts: list[str], proposed: str) -> list[str]:
        """Answer candidates from the context texts (latest first), the agent's grounded answer first."""
        passages = [Passage.make("context", t) for t in reversed(texts)]
        options = [c.text for c in extract_candidates(question, passages, self.config.options)]
        key = normalize_answer(proposed)
        if key and key in normalize_answer(" ".join(texts)):
            options = [proposed, *[o for o in options if normalize_answer(o) != key]]
        return options[: self.config.options]
