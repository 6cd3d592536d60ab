"""Where a concern stands: one spelling of each status, ordered (a concern only moves forward). Pure;
stored as text, with a CHECK constraint on the model."""
from __future__ import annotations

from enum import StrEnum


class ConcernStatus(StrEnum):
    OPEN = "open"  # nobody has it yet
    ACKNOWLEDGED = "acknowledged"  # a counselor has it
    RESOLVED = "resolved"

    @property
    def rank(self) -> int:
        return list(ConcernStatus).index(self)


UNRESOLVED = (ConcernStatus.OPEN, ConcernStatus.ACKNOWLEDGED)
