"""Passages and multi-hop questions: loading the shared data set and deterministic samples of it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

__all__ = [
    "MultihopQuestion",
    "Passage",
    "hop_ordered_sample",
    "load_multihop",
    "passage_id",
    "pooled_passages",
    "stratified_sample",
]


def passage_id(title: str, text: str) -> str:
    """Stable id of a paragraph: the same title and text give the same id in every question and corpus."""
    return "p" + hashlib.sha1(f"{title}\n{text}".encode()).hexdigest()[:14]


class Passage(BaseModel):
    """One paragraph of the corpus."""

    model_config = ConfigDict(frozen=True)

    id: str = Field(description="Stable id (see `passage_id`).")
    title: str = Field(description="Title of the article the paragraph comes from.")
    text: str = Field(description="The paragraph text.")

    @classmethod
    def make(cls, title: str, text: str) -> Passage:
        """A passage whose id is derived from its title and text."""
        return cls(id=passage_id(title, text), title=title, text=text)

    def render(self, limit: int | None = None) -> str:
        """``Title: text`` (the text cut to `limit` characters), as shown to a model."""
        text = (
            self.text
            if limit is None or len(self.text) <= limit
            else self.text[:limit].rsplit(" ", 1)[0] + " …"
        )
        return f"{self.title}: {text}"


class MultihopQuestion(BaseModel):
    """One multi-hop question with its context paragraphs and gold answers."""

    id: str = Field(description="Data-set id of the question.")
    dataset: str = Field(description="Source data set: ``hotpotqa`` or ``musique``.")
    question: str = Field(description="The question text.")
    answers: list[str] = Field(description="Gold answer first, then aliases.")
    qtype: str = Field(default="", description="Question type (bridge, comparison, 2hop, 3hop1 …).")
    passages: list[Passage] = Field(description="The question's own context paragraphs (distractor setting).")
    supporting: list[str] = Field(description="Ids of the gold supporting paragraphs.")
    hops: int = Field(
        default=2, description="Number of reasoning hops (MuSiQue decomposition length; 2 otherwise)."
    )


def _parse(row: dict, where: str) -> MultihopQuestion:
    try:
        paragraphs = row["paragraphs"]
        passages = [Passage.make(p["title"], p["text"]) for p in paragraphs]
        supporting = [pid.id for pid, p in zip(passages, paragraphs, strict=True) if p.get("is_supporting")]
        decomposition = row.get("decomposition") or []
        return MultihopQuestion(
            id=str(row["id"]),
            dataset=str(row["dataset"]),
            question=row["question"],
            answers=list(row["answers"]),
            qtype=str(row.get("qtype") or ""),
            passages=passages,
            supporting=supporting,
            hops=max(2, len(decomposition)),
        )
    except KeyError as error:
        raise ValueError(f"{where}: missing field {error.args[0]!r}") from None
    except (TypeError, ValidationError) as error:
        raise ValueError(f"{where}: malformed question ({error})") from None


def load_multihop(path: str | Path) -> list[MultihopQuestion]:
    """Read a multihop ``questions.jsonl`` file; a bad line raises `ValueError` naming file and line."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"data file not found: {path}")
    questions = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as error:
            raise ValueError(f"{path}:{number}: not JSON ({error.msg})") from None
        questions.append(_parse(row, f"{path}:{number}"))
    if not questions:
        raise ValueError(f"{path}: no questions")
    return questions


def pooled_passages(questions: Iterable[MultihopQuestion]) -> list[Passage]:
    """Every distinct paragraph of the questions, in first-seen order (the *pooled* corpus)."""
    seen: dict[str, Passage] = {}
    for question in questions:
        for passage in question.passages:
            seen.setdefault(passage.id, passage)
    return list(seen.values())


def _order_key(question: MultihopQuestion) -> str:
    # A hash of the id, not file order: the sample is spread over the file yet the same on every run.
    return hashlib.sha1(question.id.encode()).hexdigest()


def stratified_sample(questions: Sequence[MultihopQuestion], limit: int | None) -> list[MultihopQuestion]:
    """A deterministic sample of `limit` questions with the data sets as equal as their sizes allow."""
    if limit is None or limit >= len(questions):
        return sorted(questions, key=lambda q: (q.dataset, _order_key(q)))
    groups: dict[str, list[MultihopQuestion]] = {}
    for question in sorted(questions, key=_order_key):
        groups.setdefault(question.dataset, []).append(question)
    quota = {name: 0 for name in groups}
    remaining = limit
    # Round-robin allocation: equal shares, a small data set's unused share goes to the others.
    while remaining > 0:
        progressed = False
        for name in sorted(groups):
            if remaining and quota[name] < len(groups[name]):
                quota[name] += 1
                remaining -= 1
                progressed = True
        if not progressed:
            break
    chosen = [groups[name][: quota[name]] for name in sorted(groups)]
    # Interleaved, so that any prefix of the sample (a run cut short) still covers every data set.
    return [
        q
        for i in range(max(quota.values(), default=0))
        for part in chosen
        if i < len(part)
        for q in [part[i]]
    ]


def hop_ordered_sample(questions: Sequence[MultihopQuestion], limit: int | None) -> list[MultihopQuestion]:
    """Questions with 3+ hops first (most hops first), then the rest, each in a fixed hashed order."""
    deep = sorted((q for q in questions if q.hops >= 3), key=lambda q: (-q.hops, _order_key(q)))
    shallow_musique = sorted((q for q in questions if q.hops < 3 and q.dataset == "musique"), key=_order_key)
    rest = sorted((q for q in questions if q.hops < 3 and q.dataset != "musique"), key=_order_key)
    ordered = deep + rest + shallow_musique
    return ordered if limit is None else ordered[:limit]
