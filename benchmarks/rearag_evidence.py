"""Where ReaRAG's F1 is lost: is the answer in what the chain gathered, and can the reader take it?

    goalgraph eval rearag --data ../shared/data/multihop/questions.jsonl --setting pooled --limit 100 --out r.json
    python benchmarks/rearag_evidence.py --results r.json --out evidence.json --replay

Reads an eval's results file and its ``.episodes.jsonl`` (the chains with their passage ids) and reports,
against one-shot RAG in the same run:

- answer presence: the share of open questions (gold not yes/no) whose gold answer occurs in the passages
  one-shot RAG read, in everything the ReaRAG chain retrieved, and in the evidence its short answer read;
- conversion: F1 on the questions whose answer was in what the system read (the reader's share of the gap);
- paired: ReaRAG's F1 minus one-shot RAG's, question by question, with a 95% paired-bootstrap interval and
  the number of questions won and lost (is the difference bigger than a few questions' worth?);
- choice: for the read that gave each system's answer, the F1 of the best option it was offered (the ceiling
  of a reader that chooses perfectly among them), of the top-ranked option, and of the option the model chose,
  and how often the model chose the top-ranked one (is the model's choice adding anything to the ranking?);
- with ``--replay``: the same model reads the same recorded chains under other final-evidence rules (no
  chain is rerun, so a rule's effect is isolated), F1 and wins / losses per question against one-shot RAG.

JSON: {"runs": [{"setting", "questions", "presence": {...}, "ratios": {...}, "conversion": {...},
"paired": {"f1_difference", "ci95", "wins", "losses"},
"choice": {SYSTEM: {"best_option", "top_option", "chosen", "chose_top"}}, "replay": {RULE: {"f1", "em", "wins", "losses"}}}]}.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from rich.progress import Progress

from goalgraph.agents._qa_metrics import exact_match, normalize_answer, token_f1
from goalgraph.agents._rearag_steps import ReaRAGSteps, gathered_evidence
from goalgraph.agents._rearag_types import ReaRAGConfig
from goalgraph.tools.retrieval import (
    EngineConfig,
    HybridIndex,
    IndexConfig,
    Passage,
    RetrievalEngine,
    ScoredPassage,
    answer_kind,
    default_embedder,
    extract_candidates,
    load_multihop,
    pooled_passages,
    resolve_model,
)

Chain = list[dict[str, Any]]
Rule = Callable[[str, Chain, HybridIndex], list[Passage]]


def restore_chain(steps: Chain, passages: dict[str, Passage]) -> Chain:
    """An episode's chain as the graph held it: each search's used and other retrieved passages in full."""
    restored = []
    for step in steps:
        step = dict(step)
        if step["action"]["function"] == "search":
            used = step.get("used", [])
            observation = step.get("observation") or ""
            step["answer"] = observation.rsplit(" (from ", 1)[0] if step.get("retrieved") else ""
            step["used"] = [passages[i].model_dump() for i in used]
            step["passages"] = [passages[i].model_dump() for i in step.get("retrieved", []) if i not in used]
        restored.append(step)
    return restored


def _searches(chain: Chain) -> Chain:
    return [s for s in chain if s["action"]["function"] == "search"]


def _distinct(passages: list[Passage]) -> list[Passage]:
    return list({p.id: p for p in passages}.values())


def _question_top(question: str, chain: Chain, index: HybridIndex) -> list[Passage]:
    """The first search's passages in its ranking: the question's own top k (one-shot RAG's, pooled)."""
    first = _searches(chain)[:1]
    held = {p["id"]: p for s in first for p in [*s["used"], *s["passages"]]}
    return [Passage.model_validate(held[i]) for s in first for i in s.get("retrieved", []) if i in held]


def _question_top_plus_hops(question: str, chain: Chain, index: HybridIndex) -> list[Passage]:
    """The question's top 5, then the passages later hops' observations came from (at most 7 in all)."""
    later = [Passage.model_validate(p) for s in _searches(chain)[1:] for p in s["used"]]
    return _distinct([*_question_top(question, chain, index), *later])[:7]


def _dense_top(question: str, chain: Chain, index: HybridIndex) -> list[Passage]:
    """Everything the chain retrieved, the 7 closest to the question by embedding."""
    gathered = _distinct(
        [Passage.model_validate(p) for s in _searches(chain) for p in [*s["used"], *s["passages"]]]
    )
    subset = index.subset([p.id for p in gathered])
    # Cosine similarity (the vectors are unit length): the dense half of the index's own ranking.
    similarity = subset.vectors @ default_embedder()([question])[0]
    return [subset.passages[i] for i in np.argsort(-similarity, kind="stable")[:7]]


@dataclass(frozen=True)
class FinalRule:
    """A final-evidence rule to replay."""

    evidence: Rule | None
    """The passages the short answer reads; None: the agent's own short-answer step, as configured."""
    every_kind: bool = False
    """Also yes/no and choice questions (else those keep the agent's own short answer, as it does)."""


RULES: dict[str, FinalRule] = {
    "chain": FinalRule(None),
    "question_top": FinalRule(_question_top),
    "question_top_plus_hops": FinalRule(_question_top_plus_hops),
    "question_top_plus_hops_every_kind": FinalRule(_question_top_plus_hops, every_kind=True),
    "dense_top": FinalRule(_dense_top),
}


def _contains(passages: list[Passage], gold: list[str]) -> bool:
    text = " ".join(normalize_answer(f"{p.title} {p.text}") for p in passages)
    return any(normalize_answer(g) and f" {normalize_answer(g)} " in f" {text} " for g in gold)


def _open(gold: list[str]) -> bool:
    return not any(normalize_answer(g) in ("yes", "no") for g in gold)


@dataclass
class _Choice:
    """Per system: F1 of the best offered option, of the top-ranked one, of the chosen one; top chosen."""

    best: list[float] = field(default_factory=list)
    top: list[float] = field(default_factory=list)
    chosen: list[float] = field(default_factory=list)
    chose_top: list[float] = field(default_factory=list)

    def add(self, question: str, read: list[Passage], answer: str, gold: list[str]) -> None:
        # The options the engine offered for this read: the same deterministic extraction it ran.
        options = [c.text for c in extract_candidates(question, read, EngineConfig().options)]
        scores = [token_f1(option, gold) for option in options] or [0.0]
        self.best.append(max(scores))
        self.top.append(scores[0])
        self.chosen.append(token_f1(answer, gold))
        self.chose_top.append(
            float(bool(options) and normalize_answer(answer) == normalize_answer(options[0]))
        )

    def summary(self) -> dict[str, float]:
        n = len(self.best) or 1
        return {
            "best_option": sum(self.best) / n,
            "top_option": sum(self.top) / n,
            "chosen": sum(self.chosen) / n,
            "chose_top": sum(self.chose_top) / n,
        }


def paired_difference(differences: list[float], resamples: int = 10_000) -> dict[str, Any]:
    """Mean of per-question differences, its 95% paired-bootstrap interval (fixed seed), wins and losses."""
    values = np.asarray(differences, dtype=float)
    if not len(values):
        return {"f1_difference": 0.0, "ci95": [0.0, 0.0], "wins": 0, "losses": 0}
    draws = np.random.default_rng(0).integers(0, len(values), size=(resamples, len(values)))
    means = values[draws].mean(axis=1)
    low, high = np.quantile(means, [0.025, 0.975])
    return {
        "f1_difference": float(values.mean()),
        "ci95": [float(low), float(high)],
        "wins": int((values > 0).sum()),
        "losses": int((values < 0).sum()),
    }


def load_run(results: Path) -> tuple[str, list[dict[str, Any]]]:
    """The setting and the episodes of an eval results file."""
    episodes_path = results.with_name(results.name + ".episodes.jsonl")
    for path in (results, episodes_path):
        if not path.is_file():
            raise SystemExit(
                f"error: {path}: file not found (run `goalgraph eval rearag --out {results}` first)"
            )
    setting = json.loads(results.read_text())["setting"]
    episodes = [json.loads(line) for line in episodes_path.read_text().splitlines() if line.strip()]
    if not any("used" in s for e in episodes if e["system"] == "rearag" for s in e.get("chain", [])):
        raise SystemExit(
            f"error: {episodes_path}: the chains carry no passage ids (rerun the eval with this version)"
        )
    return setting, episodes


class Corpus:
    """The questions and their pooled passages, loaded once for every run; the index and the model are
    built on first use (only replays need them)."""

    def __init__(self, data: Path) -> None:
        """Load `data` (the multihop ``questions.jsonl``)."""
        self.questions = {q.id: q for q in load_multihop(data)}
        self.passages = {p.id: p for p in pooled_passages(list(self.questions.values()))}

    @functools.cached_property
    def index(self) -> HybridIndex:
        """The pooled index (a question's subset serves the distractor setting)."""
        return HybridIndex(list(self.passages.values()), IndexConfig(dense=True))

    @functools.cached_property
    def model(self) -> Any:
        """The embedded local model."""
        return resolve_model("local")


def measure(setting: str, episodes: list[dict[str, Any]], corpus: Corpus, replay: bool) -> dict[str, Any]:
    """Presence, conversion, the paired difference, the choice split and (with `replay`) the rule replays for
    one run."""
    passages = corpus.passages
    rag = {e["id"]: e for e in episodes if e["system"] == "one_shot_rag"}
    runs = [e for e in episodes if e["system"] == "rearag" and e["id"] in rag]
    k = EngineConfig().k
    presence = {"one_shot_rag": 0, "rearag_gathered": 0, "rearag_read": 0}
    conversion: dict[str, list[float]] = {"one_shot_rag": [], "rearag": []}
    choice = {"one_shot_rag": _Choice(), "rearag": _Choice()}
    open_runs = [e for e in runs if _open(e["gold"])]
    for episode in open_runs:
        chain = restore_chain(episode["chain"], passages)
        read = [p.passage for p in gathered_evidence(chain, k)]
        seen = {
            "one_shot_rag": [passages[i] for i in rag[episode["id"]]["retrieved"]],
            "rearag_gathered": [passages[i] for i in episode["retrieved"]],
            "rearag_read": read,
        }
        hit = {name: _contains(value, episode["gold"]) for name, value in seen.items()}
        for name in presence:
            presence[name] += hit[name]
        if hit["one_shot_rag"]:
            conversion["one_shot_rag"].append(rag[episode["id"]]["metrics"]["f1"])
        if hit["rearag_read"]:
            conversion["rearag"].append(episode["metrics"]["f1"])
        question, gold = episode["question"], episode["gold"]
        choice["one_shot_rag"].add(question, seen["one_shot_rag"], rag[episode["id"]]["answer"], gold)
        choice["rearag"].add(question, read, episode["answer"], gold)
    n_open = len(open_runs) or 1
    report: dict[str, Any] = {
        "setting": setting,
        "questions": len(runs),
        "open_questions": len(open_runs),
        "f1": {
            "rearag": sum(e["metrics"]["f1"] for e in runs) / (len(runs) or 1),
            "one_shot_rag": sum(rag[e["id"]]["metrics"]["f1"] for e in runs) / (len(runs) or 1),
        },
        "presence": {name: count / n_open for name, count in presence.items()},
        "ratios": {
            "gathered_vs_rag_presence": presence["rearag_gathered"] / max(presence["one_shot_rag"], 1)
        },
        "conversion": {name: sum(v) / len(v) if v else 0.0 for name, v in conversion.items()},
        "paired": paired_difference([e["metrics"]["f1"] - rag[e["id"]]["metrics"]["f1"] for e in runs]),
        "choice": {name: value.summary() for name, value in choice.items()},
    }
    if replay:
        report["replay"] = asyncio.run(_replay(setting, runs, rag, corpus))
    return report


async def _replay(
    setting: str, runs: list[dict[str, Any]], rag: dict[str, dict[str, Any]], corpus: Corpus
) -> dict[str, dict[str, float]]:
    model, index = corpus.model, corpus.index
    scores: dict[str, list[tuple[float, float, float]]] = {name: [] for name in RULES}
    with Progress(transient=True) as progress:
        task = progress.add_task(f"replay ({setting})", total=len(runs) * len(RULES))
        for episode in runs:
            question = corpus.questions[episode["id"]]
            own = index if setting == "pooled" else index.subset([p.id for p in question.passages])
            engine = RetrievalEngine(own, model, EngineConfig())
            chain = restore_chain(episode["chain"], corpus.passages)
            closed = answer_kind(question.question) in ("yesno", "choice")
            own_answer: str | None = None  # the agent's short answer, computed once when a rule needs it
            for name, rule in RULES.items():
                if rule.evidence is None or (closed and not rule.every_kind):
                    # Yes/no and choice questions keep the chain's own answer under every rule.
                    if own_answer is None:
                        own_answer = await _short_answer(model, engine, question.question, chain)
                    answer = own_answer
                else:
                    evidence = rule.evidence(question.question, chain, own)
                    scored = [ScoredPassage(passage=p, score=0.0, rank=r) for r, p in enumerate(evidence)]
                    answer = (await engine.read(question.question, scored)).answer if scored else ""
                rag_f1 = rag[episode["id"]]["metrics"]["f1"]
                f1 = token_f1(answer, question.answers)
                scores[name].append((f1, exact_match(answer, question.answers), f1 - rag_f1))
                progress.advance(task)
    n = len(runs) or 1
    return {
        name: {
            "f1": sum(s[0] for s in rows) / n,
            "em": sum(s[1] for s in rows) / n,
            "wins": float(sum(1 for s in rows if s[2] > 0)),
            "losses": float(sum(1 for s in rows if s[2] < 0)),
        }
        for name, rows in scores.items()
    }


async def _short_answer(model: Any, engine: RetrievalEngine, question: str, chain: Chain) -> str:
    """The agent's own short-answer step on a recorded chain."""
    finish = next((s["action"].get("answer") for s in chain if s["action"]["function"] == "finish"), None)
    state: Any = {"question": question, "chain": chain, "reference_answer": finish}
    return str((await ReaRAGSteps(model, engine, ReaRAGConfig()).short_answer(state))["answer"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--results", type=Path, action="append", required=True, help="eval results JSON (repeatable)"
    )
    parser.add_argument("--data", type=Path, default=Path("../shared/data/multihop/questions.jsonl"))
    parser.add_argument("--out", type=Path, required=True, help="JSON to write")
    parser.add_argument(
        "--replay", action="store_true", help="replay final-evidence rules with the local model"
    )
    args = parser.parse_args()
    if not args.data.is_file():
        print(f"error: --data {args.data}: file not found", file=sys.stderr)
        return 2
    runs = [load_run(results) for results in args.results]  # every file checked before any work
    corpus = Corpus(args.data)
    reports = [measure(setting, episodes, corpus, args.replay) for setting, episodes in runs]
    document = {"runs": reports}
    tmp = args.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, indent=2))
    tmp.replace(args.out)
    for report in reports:
        print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
