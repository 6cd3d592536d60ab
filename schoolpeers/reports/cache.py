"""Protected lattices and finished reports kept in the process, so that views skip loading and building.

Only what privacy already protected is kept: a school's `ProtectedLattice` and the `SchoolReport`s
sliced from it, with outputs made from them (the page's report section, the chart JSON), never the
rows they were built from. A key holds the school and every setting of it that a report shows or
depends on and the school's `DataExtent`, a fingerprint that a new, corrected or deleted check-in, a
new concern or a changed grade changes at once; a report's key adds the choices and the school's
today. So nothing is ever served to another school or from stale data; `TTL_SECONDS` only bounds
memory. Entries are few and small, and the least recently used go first.
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
from schoolpeers.reports.loading import DataExtent
from schoolpeers.reports.privacy import ProtectedLattice
from schoolpeers.reports.report import ReportParams, SchoolReport

MAX_ENTRIES = 32
TTL_SECONDS = 300


@dataclass(frozen=True)
class LatticeKey:
    """Everything a school's protected lattice depends on; the school comes first and is never left out."""

    school_id: int
    school_settings: tuple  # name, slug, k, grade range, timezone: all shown or used by the reports
    extent: DataExtent
    source: str = "mentors"  # whose check-ins (report.SOURCES): each source is a lattice of its own

    @classmethod
    def of(cls, school: School, extent: DataExtent, source: str = "mentors") -> LatticeKey:
        settings = (school.name, school.slug, school.min_group_size, school.grade_min, school.grade_max,
                    school.timezone)
        return cls(school.id, settings, extent, source)


@dataclass(frozen=True)
class ReportKey:
    """A report: its school's lattice, the choices, whether the page's default range applies, today."""

    lattice: LatticeKey
    params: ReportParams
    default_range: bool
    today: date


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
    """Lattices (by `LatticeKey`) and reports (by `ReportKey`, as `CachedReport`s).

    At most `size` entries, each for at most `ttl` seconds, the least recently used evicted first
    (cachetools' TTLCache), behind a lock because gunicorn threads or tests may share it.

    A miss builds outside the lock: two requests for the same new report may both build it, which
    costs time but never gives a wrong answer, and no request waits for another's build.
    """

    def __init__(self, size: int = MAX_ENTRIES, ttl: float = TTL_SECONDS, clock: Callable[[], float] = time.monotonic):
        self._entries: TTLCache[LatticeKey | ReportKey, Any] = TTLCache(maxsize=size, ttl=ttl, timer=clock)
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._entries.expire()
            return len(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def lattice(self, key: LatticeKey, build: Callable[[], ProtectedLattice]) -> ProtectedLattice:
        return self._get(key, build)

    def report(self, key: ReportKey, build: Callable[[], SchoolReport]) -> CachedReport:
        return self._get(key, lambda: CachedReport(build()))

    def _get(self, key, build: Callable[[], Any]) -> Any:
        """The entry of `key`, built (and kept) when there is none or it expired."""
        with self._lock:
            found = self._entries.get(key)
        if found is not None:
            return found
        entry = build()
        with self._lock:
            self._entries[key] = entry
        return entry
