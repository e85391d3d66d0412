"""Three-valued conditions, world states, and the blackboard a run's typed objects live on."""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["Blackboard", "Condition", "Predicate", "WorldState", "condition_of"]

T = TypeVar("T")

Predicate = Callable[["Blackboard"], "bool | Condition | None"]
"""An explicit condition: a function of the blackboard; `None` means "unknown"."""


class Condition(enum.Enum):
    """The value of a named condition: `TRUE`, `FALSE` or `UNKNOWN`.

    Only `TRUE` is truthy, so ``if state["x"]:`` reads naturally. Unknown satisfies neither a
    precondition that wants the condition true nor one that wants it false: an action that needs it
    must wait for another action to establish it (the planner never guesses).
    """

    TRUE = "true"
    FALSE = "false"
    UNKNOWN = "unknown"

    def __bool__(self) -> bool:
        return self is Condition.TRUE

    def __str__(self) -> str:
        return self.value


def condition_of(value: bool | Condition | None) -> Condition:
    """`True`/`False`/`None` (unknown) or a `Condition` as a `Condition`."""
    if isinstance(value, Condition):
        return value
    if value is None:
        return Condition.UNKNOWN
    if isinstance(value, bool):
        return Condition.TRUE if value else Condition.FALSE
    raise TypeError(f"a condition value must be True, False, None or a Condition, got {value!r}")


class WorldState(Mapping[str, Condition]):
    """An immutable mapping from condition name to `Condition`.

    Conditions not listed have the value `default` (`FALSE`: the closed-world assumption, so
    "no object of type X on the blackboard" reads as ``has:X`` false).

        state = WorldState({"has:Question": True, "door_open": None})   # None = unknown
        state["door_open"] is Condition.UNKNOWN
    """

    __slots__ = ("_default", "_values")

    def __init__(
        self,
        values: Mapping[str, bool | Condition | None] | Iterable[str] = (),
        *,
        default: Condition = Condition.FALSE,
    ) -> None:
        if isinstance(values, Mapping):
            self._values = {str(k): condition_of(v) for k, v in values.items()}
        else:
            self._values = {str(k): Condition.TRUE for k in values}
        self._default = default

    @property
    def default(self) -> Condition:
        """The value of every condition not listed."""
        return self._default

    def __getitem__(self, name: str) -> Condition:
        return self._values.get(name, self._default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in sorted(self._values.items()))
        return f"WorldState({inner})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WorldState):
            return NotImplemented
        return self._values == other._values and self._default is other._default

    def __hash__(self) -> int:
        return hash((frozenset(self._values.items()), self._default))

    def with_values(self, values: Mapping[str, bool | Condition | None]) -> WorldState:
        """A copy with some conditions set."""
        merged: dict[str, bool | Condition | None] = dict(self._values)
        merged.update(values)
        return WorldState(merged, default=self._default)

    def holding(self) -> frozenset[str]:
        """The names of the conditions that are `TRUE`."""
        return frozenset(k for k, v in self._values.items() if v is Condition.TRUE)


def _type_names(value: Any) -> list[str]:
    if not isinstance(value, BaseModel):
        return []
    names = []
    for cls in type(value).__mro__:
        if cls is BaseModel or not (isinstance(cls, type) and issubclass(cls, BaseModel)):
            break
        names.append(cls.__name__)
    return names


class Blackboard:
    """The typed objects a run holds, by type and by name, plus asserted facts.

    It is kept as plain JSON-able entries (``{"name", "type", "types", "data"}``) so a LangGraph
    checkpointer can store it with any serializer; typed values are rebuilt on demand from the
    type the caller asks for, so no class registry is needed.

        board = Blackboard([Question(text="Who?")])
        board.get(Question)            # the latest Question
        board.has("Question")          # True: the condition has:Question holds
    """

    def __init__(
        self,
        objects: Iterable[Any] = (),
        *,
        named: Mapping[str, Any] | None = None,
        facts: Mapping[str, bool | None] | None = None,
    ) -> None:
        self._entries: list[dict[str, Any]] = []
        self._cache: dict[int, Any] = {}
        self.facts: dict[str, bool | None] = dict(facts or {})
        """Conditions asserted by actions that ran (their explicit `produces`), by name."""
        for value in objects:
            self.add(value)
        for name, value in (named or {}).items():
            self.add(value, name=name)

    @classmethod
    def from_entries(
        cls, entries: Iterable[Mapping[str, Any]], facts: Mapping[str, bool | None] | None = None
    ) -> Blackboard:
        """Rebuild a blackboard from `entries()` (e.g. from a checkpointed graph state)."""
        board = cls(facts=facts)
        board._entries = [dict(e) for e in entries]
        return board

    def entries(self) -> list[dict[str, Any]]:
        """The JSON-able entries, oldest first."""
        return [dict(e) for e in self._entries]

    def add(self, value: Any, *, name: str | None = None) -> None:
        """Put an object on the blackboard; a pydantic model is findable by its type (and base types)."""
        if isinstance(value, BaseModel):
            data: Any = value.model_dump(mode="json")
            types = _type_names(value)
        else:
            data, types = value, []
        entry = {"name": name, "type": types[0] if types else None, "types": types, "data": data}
        self._entries.append(entry)
        self._cache[len(self._entries) - 1] = value

    def type_names(self) -> frozenset[str]:
        """Names of every type (and base model type) held."""
        return frozenset(t for e in self._entries for t in e["types"])

    def has(self, type_name: str | type) -> bool:
        """Whether an object of this type (or a subtype) is held."""
        wanted = type_name if isinstance(type_name, str) else type_name.__name__
        return any(wanted in e["types"] for e in self._entries)

    def get(self, tp: type[T]) -> T | None:
        """The most recently added object of type `tp` (or a subtype), rebuilt as `tp`; `None` if none."""
        for index in range(len(self._entries) - 1, -1, -1):
            if tp.__name__ in self._entries[index]["types"]:
                return self._value(index, tp)
        return None

    def all(self, tp: type[T]) -> list[T]:
        """Every object of type `tp`, oldest first."""
        return [self._value(i, tp) for i, e in enumerate(self._entries) if tp.__name__ in e["types"]]

    def named(self, name: str, tp: type[T] | None = None) -> Any:
        """The most recent object added under `name` (rebuilt as `tp` when given); `None` if none."""
        for index in range(len(self._entries) - 1, -1, -1):
            if self._entries[index]["name"] == name:
                return self._value(index, tp)
        return None

    def _value(self, index: int, tp: type[Any] | None) -> Any:
        cached = self._cache.get(index)
        if cached is not None and (tp is None or isinstance(cached, tp)):
            return cached
        data = self._entries[index]["data"]
        if tp is not None and isinstance(tp, type) and issubclass(tp, BaseModel):
            value = tp.model_validate(data)
            self._cache[index] = value
            return value
        return data

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        items = ", ".join(e["type"] or repr(e["name"]) for e in self._entries)
        return f"Blackboard([{items}], facts={self.facts})"

    def world_state(
        self, conditions: Iterable[str] = (), predicates: Mapping[str, Predicate] | None = None
    ) -> WorldState:
        """The world state over `conditions` (and every predicate and fact).

        A predicate decides its condition; otherwise ``has:T`` holds when an object of type T is held;
        otherwise an asserted fact decides; otherwise the condition is false (closed world).
        """
        predicates = predicates or {}
        held = self.type_names()
        values: dict[str, Condition] = {}
        names = set(conditions) | set(predicates) | set(self.facts)
        names |= {f"has:{t}" for t in held}
        for name in sorted(names):
            if name in predicates:
                try:
                    values[name] = condition_of(predicates[name](self))
                except Exception:
                    # A predicate that cannot decide (e.g. its inputs are not there yet) is unknown,
                    # not a crash of the whole run.
                    values[name] = Condition.UNKNOWN
            elif name.startswith("has:") and name[4:] in held:
                values[name] = Condition.TRUE
            elif name in self.facts:
                values[name] = condition_of(self.facts[name])
            else:
                values[name] = Condition.FALSE
        return WorldState(values)
