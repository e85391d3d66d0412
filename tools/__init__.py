"""Typed tools: functions from a pydantic input model to a typed output, traced, with GOAP metadata.

@tool
def search(query: Query) -> Documents: ...        # requires has:Query, produces has:Documents
docs = await search.acall({"text": "..."})         # or search.as_pydantic_ai() / search.as_node()
"""

from ._errors import ToolError, ToolInputError, ToolOutputError, ToolTimeoutError
from ._tool import Tool, format_validation_error, tool, type_condition

__all__ = [
    "Tool",
    "ToolError",
    "ToolInputError",
    "ToolOutputError",
    "ToolTimeoutError",
    "format_validation_error",
    "tool",
    "type_condition",
]
