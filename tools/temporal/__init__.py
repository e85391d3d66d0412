"""Temporal expressions -> time windows (absolute dates, ranges, times of day, relative phrases).

from goalgraph.tools.temporal import parse_window
w = parse_window("What did Ann do between May 2, 2023 and May 5, 2023?")   # TimeWindow(start=..., end=...)
w = parse_window("Where did he go last Friday?", asked_at=datetime(2023, 10, 17))
"""

from ._calendar import month_mentions
from ._guess import WindowGuess, resolve_guess
from ._parse import parse_point, parse_window
from ._window import TimeWindow

__all__ = ["TimeWindow", "WindowGuess", "month_mentions", "parse_point", "parse_window", "resolve_guess"]
