"""Bad input to `goalgraph llm …`, `demo` and the top level: unknown commands and options, bad model specs (see conftest)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import Case, case_params, check

CASES: list[Case] = [
    ("llm-chat-spec", lambda d, o: ["llm", "chat", "hello", "--model", "gpt-9"], ("gpt-9",)),
    (
        "llm-chat-missing-gguf",
        lambda d, o: ["llm", "chat", "hello", "--model", f"local:{d}/nowhere.gguf"],
        ("nowhere.gguf",),
    ),
    (
        "llm-chat-not-a-model",
        lambda d, o: ["llm", "chat", "hello", "--model", f"local:{d}/ok.png"],
        ("ok.png",),
    ),
    ("llm-chat-no-prompt", lambda d, o: ["llm", "chat"], ("prompt",)),
    ("llm-chat-max-tokens", lambda d, o: ["llm", "chat", "hi", "--max-tokens", "many"], ("--max-tokens",)),
    ("llm-serve-remote", lambda d, o: ["llm", "serve", "--host", "0.0.0.0"], ("0.0.0.0", "--allow-remote")),
    (
        "llm-serve-not-local",
        lambda d, o: ["llm", "serve", "--model", "openai:m@http://127.0.0.1:9/v1"],
        ("not a local model",),
    ),
    ("llm-serve-port", lambda d, o: ["llm", "serve", "--port", "-1"], ("--port",)),
    ("demo-unknown", lambda d, o: ["demo", "teleport"], ("teleport",)),
    ("eval-unknown", lambda d, o: ["eval", "chess"], ("chess",)),
    ("command-unknown", lambda d, o: ["frobnicate"], ("frobnicate",)),
    ("option-unknown", lambda d, o: ["--frobnicate"], ("--frobnicate",)),
]


@pytest.mark.parametrize(("argv", "expected"), case_params(CASES))
def test_llm_demo_and_top_level(
    files: Path, tmp_path: Path, argv: Callable[[Path, Path], list[str]], expected: tuple[str, ...]
) -> None:
    check(argv(files, tmp_path / "r.json"), expected)
