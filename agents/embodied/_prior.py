"""Where things are kept: a co-occurrence prior of object types and receptacle types, learned from scenes.

    prior = CooccurrencePrior.learn(load_scenes("scenes/").values())    # any split of scenes
    prior.probability("Cup", "Cabinet")                                  # P(receptacle type | object type)

Learned counts, not hand-written tables: run it on whatever scenes you train on (the evaluation holds out
the scene being evaluated, see `for_scene`).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field

from goalgraph.envs.household import Scene

__all__ = ["CooccurrencePrior"]


class CooccurrencePrior(BaseModel):
    """Counts of (object type, receptacle type) from scene metadata, smoothed toward the receptacle base rate."""

    counts: dict[str, dict[str, int]] = Field(
        default_factory=dict, description="object type → receptacle type → count."
    )
    base: dict[str, int] = Field(
        default_factory=dict, description="receptacle type → objects held, any type."
    )
    scenes: list[str] = Field(default_factory=list, description="Scenes the counts come from.")
    alpha: float = Field(default=1.0, description="Smoothing weight of the base rate.")

    @classmethod
    def learn(cls, scenes: Iterable[Scene], alpha: float = 1.0) -> CooccurrencePrior:
        """Count, in every scene, which receptacle type each pickupable object rests in or on (the furniture
        under it, when it sits in a bowl or pan)."""
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        base: Counter[str] = Counter()
        names: list[str] = []
        for scene in scenes:
            names.append(scene.scene)
            by_id = scene.by_id()
            parents = scene.parents()
            for o in scene.objects:
                if not o.pickupable or o.objectId not in parents:
                    continue
                holders: list[str] = []
                cur = parents.get(o.objectId)
                while cur is not None and cur in by_id and not by_id[cur].structural and len(holders) < 4:
                    holders.append(by_id[cur].objectType)
                    if not by_id[cur].pickupable:
                        break
                    cur = parents.get(cur)
                for r in dict.fromkeys(holders):
                    counts[o.objectType][r] += 1
                    base[r] += 1
        return cls(
            counts={k: dict(v) for k, v in counts.items()},
            base=dict(base),
            scenes=names,
            alpha=alpha,
        )

    def probability(self, obj_type: str, recep_type: str) -> float:
        """P(receptacle type | object type), smoothed; unseen object types fall back to the base rate."""
        total_base = sum(self.base.values()) or 1
        denom = total_base + 0.5 * max(len(self.base), 1)
        # A receptacle type never seen in training is uninformative (average), not impossible.
        unseen = 1.0 / max(len(self.base), 1)
        b = (self.base[recep_type] + 0.5) / denom if recep_type in self.base else unseen
        row = self.counts.get(obj_type, {})
        n = sum(row.values())
        return (row.get(recep_type, 0) + self.alpha * b) / (n + self.alpha)

    def vocabulary(self) -> set[str]:
        """Every object and receptacle type the prior has seen."""
        return set(self.counts) | set(self.base)

    def save(self, path: str | Path) -> None:
        """Write the prior as JSON."""
        Path(path).write_text(self.model_dump_json(indent=1))

    @classmethod
    def load(cls, path: str | Path) -> CooccurrencePrior:
        """Read a prior written by `save`."""
        return cls.model_validate(json.loads(Path(path).read_text()))

    @classmethod
    def for_scene(cls, scenes: dict[str, Scene], held_out: str) -> CooccurrencePrior:
        """Learn from every scene except `held_out` (so evaluating a scene never sees its own layout)."""
        return cls.learn(s for name, s in sorted(scenes.items()) if name != held_out)
