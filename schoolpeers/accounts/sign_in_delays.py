"""How long a sign-in must wait after failures: growing delays, never a lock.

A lock that anyone can set by typing wrong passwords keeps the owner out too. A delay that doubles
with each failure past a few free ones slows a guesser just as well, and the owner waits seconds or
minutes at worst. Pure: no Flask, no database.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DelayRule:
    free: int  # failures allowed before any wait
    first_seconds: int  # the wait after the first failure past the free ones
    max_seconds: int  # the longest wait, however many failures
    forget_after_seconds: int = 24 * 3600  # quiet this long, and the count starts again

    def __post_init__(self):
        if self.free < 0 or self.first_seconds < 1 or self.max_seconds < self.first_seconds:
            raise ValueError("A delay rule needs free >= 0 and 1 <= first_seconds <= max_seconds.")


def wait_seconds(failures: int, rule: DelayRule) -> int:
    """The wait after `failures` failures in a row: none while free, then doubling up to the ceiling."""
    past_free = failures - rule.free
    if past_free < 0:
        return 0
    if past_free >= rule.max_seconds.bit_length():  # 2**past_free alone passes the ceiling
        return rule.max_seconds
    return min(rule.max_seconds, rule.first_seconds << past_free)
