"""The data files' rows: one JSON object per line, checked before any question runs."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = ["json_rows"]


def json_rows(path: Path, required: Sequence[str]) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """``(line number, "FILE:LINE", row)`` for each non-blank line of `path`.

    A line that is not a JSON object, or lacks one of the `required` fields, raises a `ValueError`
    naming the file, the line and the field.
    """
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if not line.strip():
                continue
            where = f"{path}:{number}"
            try:
                row = json.loads(line)
            except json.JSONDecodeError as exc:
                raise ValueError(f"{where}: not JSON ({exc.msg})") from exc
            if not isinstance(row, dict):
                raise ValueError(f"{where}: expected a JSON object")
            for key in required:
                if key not in row:
                    raise ValueError(f"{where}: missing field {key!r}")
            yield number, where, row
