"""The TimeWindow type: a closed or half-open interval of wall-clock time."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["TimeWindow"]


class TimeWindow(BaseModel):
    """The time span a question asks about; a ``None`` bound is open (unbounded)."""

    model_config = ConfigDict(frozen=True)

    start: datetime | None = Field(
        default=None, description="Inclusive start; None means open (no lower bound)."
    )
    end: datetime | None = Field(default=None, description="Inclusive end; None means open (no upper bound).")
    source: str = Field(default="none", description="What produced the window: a rule name, 'llm' or 'none'.")

    @property
    def is_open(self) -> bool:
        """True when both bounds are open (the question names no time)."""
        return self.start is None and self.end is None

    def contains(self, moment: datetime, margin_s: float = 0.0) -> bool:
        """Whether ``moment`` lies in the window widened by ``margin_s`` seconds on each closed side."""
        if self.start is not None and (self.start - moment).total_seconds() > margin_s:
            return False
        return not (self.end is not None and (moment - self.end).total_seconds() > margin_s)
