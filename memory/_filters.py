"""Value filters with LangGraph's `filter=` semantics, and time/namespace helpers."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

__all__ = ["matches", "namespace_matches", "to_epoch", "validate_filter"]

_OPERATORS = frozenset({"$eq", "$ne", "$gt", "$gte", "$lt", "$lte"})


def validate_filter(where: Mapping[str, Any] | None, name: str = "filter") -> None:
    """Raise `ValueError` naming the argument when `where` uses an unknown `$` operator."""
    if not where:
        return
    if not isinstance(where, Mapping):
        raise ValueError(f"{name}: expected a mapping of field -> value, got {type(where).__name__}")
    for field, cond in where.items():
        if isinstance(cond, Mapping):
            for op in cond:
                if op.startswith("$") and op not in _OPERATORS:
                    raise ValueError(
                        f"{name}[{field!r}]: unsupported operator {op!r} (use {sorted(_OPERATORS)})"
                    )
            if not any(op.startswith("$") for op in cond):
                validate_filter(cond, f"{name}[{field!r}]")


def matches(value: Mapping[str, Any] | None, where: Mapping[str, Any] | None) -> bool:
    """Whether a JSON object satisfies every condition in `where` (nested dicts, lists, $-operators)."""
    if not where:
        return True
    if value is None:
        return False
    return all(_compare(value.get(field), cond) for field, cond in where.items())


def _compare(item: Any, cond: Any) -> bool:
    if isinstance(cond, Mapping):
        if any(k.startswith("$") for k in cond):
            return all(_apply(item, op, arg) for op, arg in cond.items())
        return isinstance(item, Mapping) and all(_compare(item.get(k), v) for k, v in cond.items())
    if isinstance(cond, list | tuple):
        return (
            isinstance(item, list | tuple)
            and len(item) == len(cond)
            and all(_compare(a, b) for a, b in zip(item, cond, strict=True))
        )
    return bool(item == cond)


def _apply(item: Any, op: str, arg: Any) -> bool:
    if op == "$eq":
        return bool(item == arg)
    if op == "$ne":
        return bool(item != arg)
    if item is None:
        return False
    try:
        a, b = float(item), float(arg)
    except (TypeError, ValueError):
        return False
    if op == "$gt":
        return a > b
    if op == "$gte":
        return a >= b
    if op == "$lt":
        return a < b
    if op == "$lte":
        return a <= b
    raise ValueError(f"unsupported filter operator {op!r}")


def namespace_matches(namespace: tuple[str, ...], path: tuple[str, ...], suffix: bool = False) -> bool:
    """Prefix (or suffix) match of a namespace against `path`, where "*" matches any label."""
    if len(namespace) < len(path):
        return False
    pairs = (
        zip(reversed(namespace), reversed(path), strict=False)
        if suffix
        else zip(namespace, path, strict=False)
    )
    return all(p == "*" or n == p for n, p in pairs)


def to_epoch(value: Any, name: str = "timestamp") -> float | None:
    """Seconds since the epoch from a datetime (naive = UTC), a number, or an ISO-8601 string."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"{name}: expected a datetime, epoch seconds or ISO string, got a bool")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError as error:
            raise ValueError(f"{name}: {value!r} is not an ISO-8601 date/time") from error
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.timestamp()
    raise ValueError(f"{name}: expected a datetime, epoch seconds or ISO string, got {type(value).__name__}")
