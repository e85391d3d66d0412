"""Schema helpers for constrained outputs: enum-like types built at run time from the values a step allows."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

__all__ = ["literal_of"]


def literal_of(values: Iterable[Any]) -> Any:
    """``Literal[v1, v2, ...]`` over the distinct values, in order, for a pydantic field.

    Typed as ``Any`` because a Literal built from run-time values is a valid pydantic annotation but not a
    static type; the JSON schema it yields is an ``enum``, so constrained decoding can only pick one of them.
    """
    distinct = tuple(dict.fromkeys(values))
    if not distinct:
        raise ValueError("literal_of needs at least one value")
    return Literal[distinct]  # type: ignore[valid-type]
