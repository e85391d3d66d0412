"""Models behind pydantic-ai: the embedded local model, OpenAI-compatible servers, scripted test models.

from goalgraph.llm import model
agent = Agent(model("local"), output_type=City)       # SmolLM2-135M on CPU, output always validates
agent = Agent(model("openai:qwen@http://127.0.0.1:8000/v1"), output_type=City)   # vLLM, Ollama, ...
"""

from ._engine import ContinuationScore, Generation, LocalEngine
from ._local import LocalModel, LocalSettings
from ._schema import literal_of
from ._spec import DEFAULT_MODEL, count_tokens, model, scripted

__all__ = [
    "DEFAULT_MODEL",
    "ContinuationScore",
    "Generation",
    "LocalEngine",
    "LocalModel",
    "LocalSettings",
    "count_tokens",
    "literal_of",
    "model",
    "scripted",
]
