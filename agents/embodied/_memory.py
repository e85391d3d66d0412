"""Exploration memory in a LangGraph store: which receptacles were searched, and where each thing was seen.

    memory = ExplorationMemory(store, episode="t42")
    memory.searched("Cabinet_3"); memory.saw(obs)           # after every observation
    memory.was_searched("Cabinet_3"); memory.where("Cup")    # → [{"handle", "type", "on", "at"}, ...]

Kept in the shared `MemoryStore` (any LangGraph `BaseStore` works) under ("embodied", episode, ...);
`forget()` drops an episode's records once it is over.
"""

from __future__ import annotations

from langgraph.store.base import BaseStore

from goalgraph.envs.household import Observation

__all__ = ["ExplorationMemory"]


class ExplorationMemory:
    """One episode's exploration record in a `BaseStore`."""

    def __init__(self, store: BaseStore, episode: str) -> None:
        self.store = store
        self.ns_searched = ("embodied", episode, "searched")
        self.ns_seen = ("embodied", episode, "seen")

    def searched(self, handle: str, found: list[str] | None = None) -> None:
        """Record that `handle` was looked into (and what was in it)."""
        self.store.put(self.ns_searched, handle, {"place": handle, "found": found or []}, index=False)

    def was_searched(self, handle: str) -> bool:
        """Whether `handle` has been looked into already."""
        return self.store.get(self.ns_searched, handle) is not None

    def saw(self, obs: Observation) -> None:
        """Record every visible object and the place it sits (its receptacle, or where the agent stands)."""
        for o in obs.visible:
            if o.handle == obs.location:
                continue
            self.store.put(
                self.ns_seen,
                o.handle,
                {
                    "handle": o.handle,
                    "type": o.type,
                    "on": o.on,
                    "at": obs.location,
                    "pickupable": o.pickupable,
                },
                index=False,
            )

    def moved(self, handle: str, on: str | None) -> None:
        """Update where an object is after the agent picked it up (on=None) or put it down."""
        item = self.store.get(self.ns_seen, handle)
        if item is not None:
            self.store.put(self.ns_seen, handle, {**item.value, "on": on, "at": on}, index=False)

    def forget(self) -> None:
        """Delete this episode's records (a finished episode's exploration is of no further use)."""
        for ns in (self.ns_searched, self.ns_seen):
            while keys := [item.key for item in self.store.search(ns, limit=500)]:
                for key in keys:
                    self.store.delete(ns, key)

    def where(self, obj_type: str) -> list[dict[str, str]]:
        """Sightings of objects of a type: ``{"handle", "type", "on", "at"}`` each."""
        hits = self.store.search(self.ns_seen, filter={"type": obj_type}, limit=50)
        return [dict(h.value) for h in hits if h.value.get("at") is not None]
