"""Ground an instruction to sub-goals over object types: mentions, verbs, pronouns, multi-step clauses.

    ground("Please put the Apple in the Fridge.", vocab)          # [put Apple in/on Fridge]
    ground("take the egg out of the fridge, wash it", vocab)      # [hold Egg (hint Fridge), put Egg in SinkBasin, ...]

Hand-written because no library parses household instructions into typed sub-goals; the lexicon below is
general English for household things (refrigerator → Fridge), not a table of any data set's tasks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from ._types import SubGoal

__all__ = ["Mention", "ground", "mentions"]

# Everyday words for AI2-THOR types (English synonyms, not per-task rules).
_SYNONYMS: dict[str, str] = {
    "refrigerator": "Fridge",
    "fridge": "Fridge",
    "stove": "StoveBurner",
    "fire": "StoveBurner",
    "burner": "StoveBurner",
    "hob": "StoveBurner",
    "counter": "CounterTop",
    "countertop": "CounterTop",
    "sink": "SinkBasin",
    "trash can": "GarbageCan",
    "trash": "GarbageCan",
    "bin": "GarbageCan",
    "garbage can": "GarbageCan",
    "tv": "Television",
    "television": "Television",
    "couch": "Sofa",
    "tap": "Faucet",
    "cupboard": "Cabinet",
    "coffee maker": "CoffeeMachine",
    "coffee machine": "CoffeeMachine",
    "coffee": "CoffeeMachine",
}
_PRONOUNS = {"it", "them", "this", "that"}
_CLAUSE_SPLIT = re.compile(
    r"[.;!?]|,|\band then\b|\bthen\b|\bnext\b|\bfinally\b|\bfollowed by\b|\bafter that\b"
    r"|\b(?:and|to)\b(?= (?:take|put|place|wash|rinse|clean|find|turn|set|pour|go|heat)\b)",
    re.IGNORECASE,
)
_WASH = re.compile(r"\b(wash|rinse|clean)", re.IGNORECASE)
_COFFEE = re.compile(r"\bpour (?:some )?coffee\b", re.IGNORECASE)
_OUT_OF = re.compile(r"\bout of\b", re.IGNORECASE)
_PUT = re.compile(
    r"\b(put|puts|putting|place|placing|set|setting|dispose|disposing|move|moving|drop|throw|store|leave)\b",
    re.IGNORECASE,
)
_TOGGLE = re.compile(
    r"\b(turn(?:ing)?\b.*\b(?:on|off)\b|switch(?:ing)?|flip|flipping|power(?:ing)? (?:up|on)|activate|toggle|start|press(?:ing)?|heat)",
    re.IGNORECASE,
)
_HOLD = re.compile(
    r"\b(take|taking|grab|grabbing|get|getting|fetch|fetching|retrieve|retrieving|pick|picking|bring|bringing|hold|carry|collect|collecting)\b",
    re.IGNORECASE,
)
_FIND = re.compile(
    r"\b(find|finding|look|looking|locate|locating|search|searching|identify|identifying|spot|seek|where|check|checking)\b",
    re.IGNORECASE,
)
# Politeness that reads like an action ("take a moment to", "take a look") or holds a dummy pronoun.
_FILLER = re.compile(r"\btake a moment to\b|\btake a look\b|\bwhen you get a chance\b", re.IGNORECASE)
_PREP = re.compile(r"\b(in|into|on|onto|inside|to|in the)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Mention:
    """An object type mentioned at a character span of a clause (or a pronoun, type None)."""

    start: int
    end: int
    type: str | None


def _split_camel(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name).lower()


def _phrases(vocab: Iterable[str]) -> list[tuple[str, str]]:
    out: dict[str, str] = {}
    for t in vocab:
        for base in {t.lower(), _split_camel(t)}:
            for form in (base, base + "s", base + "es"):
                out.setdefault(form, t)
    for word, t in _SYNONYMS.items():
        for form in (word, word + "s"):
            out.setdefault(form, t)
    return sorted(out.items(), key=lambda kv: -len(kv[0]))


def mentions(clause: str, vocab: Iterable[str]) -> list[Mention]:
    """Object mentions in a clause, longest phrase first, left to right, plus pronouns."""
    low = clause.lower()
    taken = [False] * len(low)
    found: list[Mention] = []
    for phrase, t in _phrases(vocab):
        for m in re.finditer(rf"\b{re.escape(phrase)}\b", low):
            if not any(taken[m.start() : m.end()]):
                found.append(Mention(m.start(), m.end(), t))
                for i in range(m.start(), m.end()):
                    taken[i] = True
    for m in re.finditer(r"\b(it|them|this|that)\b", low):
        if not any(taken[m.start() : m.end()]):
            found.append(Mention(m.start(), m.end(), None))
    return sorted(found, key=lambda m: m.start)


def _resolve(m: Mention | None, last: str | None) -> str | None:
    if m is None:
        return last
    return m.type if m.type is not None else last


def _clause_goals(clause: str, vocab: list[str], last: str | None, last_dest: str | None) -> list[SubGoal]:
    clause = _FILLER.sub(lambda m: "look" if "look" in m.group(0).lower() else "", clause)
    verbs = [
        m.start()
        for r in (_WASH, _COFFEE, _OUT_OF, _PUT, _TOGGLE, _HOLD, _FIND)
        for m in [r.search(clause)]
        if m
    ]
    first_verb = min(verbs) if verbs else 0
    # A pronoun before the first verb is a dummy ("It would be great if ..."), not a reference.
    ms = [
        m
        for m in mentions(clause, vocab)
        if not (m.type == "CoffeeMachine" and _COFFEE.search(clause))
        and not (m.type is None and m.start < first_verb)
    ]
    things = [m for m in ms if m.type is not None]
    first = _resolve(ms[0] if ms else None, last)
    out_of = _OUT_OF.search(clause)
    if out_of and first:
        after = [m for m in things if m.start > out_of.start()]
        return [SubGoal(kind="hold", obj=first, hint=after[0].type if after else None)]
    if _WASH.search(clause) and first:
        return [
            SubGoal(kind="put", obj=first, dest="SinkBasin"),
            SubGoal(kind="toggle", obj="Faucet"),
            SubGoal(kind="hold", obj=first),
        ]
    if _COFFEE.search(clause) and first:
        return [
            SubGoal(kind="put", obj=first, dest="CoffeeMachine"),
            SubGoal(kind="toggle", obj="CoffeeMachine"),
            SubGoal(kind="hold", obj=first),
        ]
    prep = next((p for p in _PREP.finditer(clause) if any(m.start > p.start() for m in things)), None)
    if prep is not None and (_PUT.search(clause) or len(ms) >= 2):
        before = [m for m in ms if m.start < prep.start()]
        after = [m for m in things if m.start > prep.start()]
        obj = _resolve(before[0] if before else None, last)
        if obj and after and (before or _PUT.search(clause)):
            return [SubGoal(kind="put", obj=obj, dest=after[0].type)]
    if _TOGGLE.search(clause):
        if re.search(r"\bheat\b", clause, re.IGNORECASE) and last_dest:
            return [SubGoal(kind="toggle", obj=last_dest)]
        target = things[-1].type if things else last
        return [SubGoal(kind="toggle", obj=target)] if target else []
    if _FIND.search(clause) and first:
        return [SubGoal(kind="find", obj=first)]
    if _HOLD.search(clause) and first:
        return [SubGoal(kind="hold", obj=first)]
    return []


def ground(instruction: str, vocab: Iterable[str]) -> list[SubGoal]:
    """Sub-goals for an instruction over the given object-type vocabulary (CamelCase words count too)."""
    # Capitalised names are object types too ("the CreditCard", "a Ladle"), even ones never seen before.
    named = re.findall(r"\b[A-Z][a-z]+(?:[A-Z][a-z]+)+\b", instruction)
    named += re.findall(r"\b(?:the|a|an)\s+([A-Z][a-z]+)\b", instruction)
    words = set(vocab) | set(named)
    vocab_list = sorted(words)
    goals: list[SubGoal] = []
    last: str | None = None
    last_dest: str | None = None
    for clause in _CLAUSE_SPLIT.split(instruction):
        if not clause or not clause.strip():
            continue
        for g in _clause_goals(clause, vocab_list, last, last_dest):
            goals.append(g)
            if g.kind != "toggle":
                last = g.obj
            if g.dest:
                last_dest = g.dest
    # "find the pan, put it on the stove": finding is implied by acting on it later.
    pruned = [
        g
        for i, g in enumerate(goals)
        if not (g.kind == "find" and any(h.obj == g.obj for h in goals[i + 1 :]))
    ]
    # A hint ("out of the fridge") carries to later sub-goals about the same object until it is held.
    hints: dict[str, str] = {}
    for g in pruned:
        if g.hint:
            hints[g.obj] = g.hint
        elif g.obj in hints and g.kind in ("put", "hold"):
            g.hint = hints[g.obj]
    return pruned
