"""When a pair can meet next (pure core): the weekly availability slots both share, turned into the
coming dates and times at the school, in its time zone.

A slot is "<day>-<part>" (mon-lunch); each part of the school day starts at a fixed local time.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PART_STARTS = {"before": time(8, 0), "lunch": time(12, 30), "after": time(15, 30)}
LOOK_AHEAD_DAYS = 14


def shared(mentor_slots: Iterable[str], mentee_slots: Iterable[str]) -> list[str]:
    """The slots both gave, in weekly order; the mentor's own when they share none (they can still
    agree a time in person)."""
    mentor = [s for s in dict.fromkeys(mentor_slots) if _parse(s)]
    both = [s for s in mentor if s in set(mentee_slots)]
    return sorted(both or mentor, key=_order)


def upcoming(slots: Iterable[str], now: datetime, zone: str, days: int = LOOK_AHEAD_DAYS) -> list[datetime]:
    """Every start of these slots after `now` (aware) and within `days` days, as aware local times,
    earliest first."""
    tz = ZoneInfo(zone)
    local_now = now.astimezone(tz)
    starts = []
    for slot in set(slots):
        parsed = _parse(slot)
        if parsed is None:
            continue
        weekday, start = parsed
        first = local_now.date() + timedelta(days=(weekday - local_now.weekday()) % 7)
        for week in range(days // 7 + 1):
            day: date = first + timedelta(weeks=week)
            when = datetime.combine(day, start, tz)
            if local_now < when <= local_now + timedelta(days=days):
                starts.append(when)
    return sorted(starts)


def _parse(slot: str) -> tuple[int, time] | None:
    day, _, part = slot.partition("-")
    if day not in DAYS or part not in PART_STARTS:
        return None
    return DAYS.index(day), PART_STARTS[part]


def _order(slot: str) -> tuple[int, time]:
    return _parse(slot) or (len(DAYS), time.max)
