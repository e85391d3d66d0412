"""Typed tool failures: every way a tool call can go wrong is one of these, never a bare exception."""

from __future__ import annotations

__all__ = ["ToolError", "ToolInputError", "ToolOutputError", "ToolTimeoutError"]


class ToolError(Exception):
    """A tool call failed. Carries the tool's name and the cause, so a planner can react to it.

    Attributes:
        tool: name of the tool that failed.
        reason: a one-line human-readable cause.
        cause: the original exception, when there was one.
    """

    kind: str = "exception"

    def __init__(self, tool: str, reason: str, cause: BaseException | None = None) -> None:
        super().__init__(f"tool {tool!r} failed: {reason}")
        self.tool = tool
        self.reason = reason
        self.cause = cause


class ToolInputError(ToolError):
    """The arguments did not validate against the tool's input model; `reason` names the fields."""

    kind = "input"


class ToolOutputError(ToolError):
    """The tool returned a value that does not validate against its declared output type."""

    kind = "output"


class ToolTimeoutError(ToolError):
    """The tool did not finish within its timeout."""

    kind = "timeout"
