"""goalgraph: graph-structured LLM agents from typed tools, a GOAP planner, shared memory and traces.

from goalgraph import tool, llm
@tool
def add(a: int, b: int) -> int: ...
"""

from .tools import Tool, ToolError, tool

__all__ = ["Tool", "ToolError", "tool"]
__version__ = "0.1.0"
