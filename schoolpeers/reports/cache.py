"""Finished reports kept in the process, so that repeated views of a report skip loading and building it.

Only what privacy already protected is kept: the `SchoolReport` (protected tables only, see
services) and outputs made from it (the page's report section, the chart JSON), never the rows it
was built from. An entry's key holds the school and every setting of it that a report shows or
depends on, the resolved choices, the school's today and the school's `DataExtent`, so a report is
never served to another school and a new or deleted check-in or concern makes a new key at once.
What the extent cannot see (a check-in corrected within its 24 hours, a student's grade changed by
a roster import) shows when the entry expires, at most `TTL_SECONDS` later. Entries are few and
small (a year by month is about 1,000 cells), and the least recently used go first.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from cachetools import TTLCache

from schoolpeers.accounts.models import School
from schoolpeers.reports.services import DataExtent, ReportParams, SchoolReport

MAX_ENTRIES = 32
TTL_SECONDS = 300


@dataclass(frozen=True)
class ReportKey:
    """Everything a finished report depends on; the school comes first and is never left out."""

    school_id: int
    school_settings: tuple  # name, slug, k, grade range, timezone: all shown or used by the report
    params: ReportParams
    today: date
    extent: DataExtent

    @classmethod
    def of(cls, school: School, params: ReportParams, today: date, extent: DataExtent) -> ReportKey:
        settings = (school.name, school.slug, school.min_group_size, school.grade_min, school.grade_max,
                    school.timezone)
        return cls(school.id, settings, params, today, extent)


class CachedReport:
    """A protected report and the outputs made from it so far, each made once while the entry lives."""

    def __init__(self, report: SchoolReport):
        self.report = report
        self._made: dict[str, Any] = {}

    def made(self, name: str, make: Callable[[SchoolReport], Any]) -> Any:
        if name not in self._made:
            self._made[name] = make(self.report)
        return self._made[name]


class ReportCache:
    """At most `size` entries, each for at most `ttl` seconds, the least recently used evicted first
    (cachetools' TTLCache), behind a lock because gunicorn threads or tests may share it.

    A miss builds outside the lock: two requests for the same new report may both build it, which
    costs time but never gives a wrong answer, and no request waits for another's build.
    """

    def __init__(self, size: int = MAX_ENTRIES, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._entries: TTLCache[ReportKey, CachedReport] = TTLCache(maxsize=size, ttl=ttl, timer=clock)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._entries.expire()
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def get(self, key: ReportKey, build: Callable[[], SchoolReport]) -> CachedReport:
        """The entry of `key`, built (and kept) when there is none or it expired."""
        with self._lock:
            found = self._entries.get(key)
        if found is not None:
            return found
        entry = CachedReport(build())
        with self._lock:
            self._entries[key] = entry
        return entry
