"""How urgently a counselor should look at something: the one vocabulary of severity.

Stored as text ("low", "medium", "high") with CHECK constraints on the models; compared by rank,
never alphabetically. Pure: every layer may use it, from check-ins to reports.
"""
from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """Ordered low < medium < high. The values are stored as text; comparisons also accept those strings."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"

    @property
    def rank(self) -> int:
        return _RANKS[self]

    @property
    def label(self) -> str:
        return self.value.capitalize()

    # str already defines the comparisons (alphabetically, where "high" < "low"), so each one is
    # overridden; total_ordering would not replace them.
    def __lt__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return self.rank < Severity(other).rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return self.rank <= Severity(other).rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return self.rank > Severity(other).rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, str):
            return NotImplemented
        return self.rank >= Severity(other).rank


_RANKS = {severity: rank for rank, severity in enumerate(Severity)}
MOST_URGENT_FIRST = tuple(sorted(Severity, reverse=True))  # high, medium, low: how lists and tables show them
WORRIES = (Severity.MEDIUM, Severity.HIGH)  # what a mentor's "I am worried" can say, and a missed note should be


def highest(severities) -> Severity | None:
    """The most urgent of these (text or Severity), or None for none."""
    return max((Severity(s) for s in severities), default=None)
