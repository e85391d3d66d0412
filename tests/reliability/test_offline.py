"""Offline operation: the embedded model, the default embedder and dense retrieval make no network
connection and look up no host name, even without the HF_HUB_OFFLINE / TRANSFORMERS_OFFLINE switches."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CHILD = Path(__file__).with_name("_offline_child.py")


@pytest.mark.slow
def test_models_and_memory_run_without_the_network() -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    done = subprocess.run(
        [sys.executable, str(CHILD)], capture_output=True, text=True, env=env, timeout=540, check=False
    )
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    assert result["attempts"] == [], result["attempts"]
    assert result["control"] == ["getaddrinfo offline-probe.invalid"]  # the hook does see lookups
    assert result["hits"] == 1 and result["found"] == 1 and result["city"]
