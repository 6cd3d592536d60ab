"""Shared helpers of the benchmarks: honest measurement, a table, the results file.

Memory is measured as the growth of the resident set size (RSS) of a fresh
process, not with tracemalloc: tracemalloc only sees Python's allocator and
misses numpy's and OR-Tools' C/C++ memory. `measure` runs each case in a new
spawned interpreter pinned to one CPU core, prepares the input there, resets
the kernel's RSS high-water mark (writing 5 to /proc/self/clear_refs, Linux),
and reports the peak RSS during the call (VmHWM, as getrusage's ru_maxrss)
minus the RSS just before it. Where the reset is unavailable the high-water
mark may include the preparation, so the figure is an upper bound.
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import os
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

R = TypeVar("R")

RESULTS_FILE = Path(__file__).resolve().parent.parent / "bench-results.json"


def measure(fn: Callable[..., R], prepare: Callable[[], Any] | None = None) -> tuple[R, float, float]:
    """Run fn() - or fn(prepare()) - in a fresh process; return (result, wall_s, peak_mb) of fn alone.

    fn and prepare must be picklable (module-level functions or partials of them),
    and so must the result.
    """
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(_measure_here, (fn, prepare))


def _measure_here(fn: Callable[..., R], prepare: Callable[[], Any] | None) -> tuple[R, float, float]:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    args = () if prepare is None else (prepare(),)
    gc.collect()
    _reset_peak_rss()
    before = _rss_mb()
    start = time.perf_counter()
    result = fn(*args)
    wall_s = time.perf_counter() - start
    return result, wall_s, _peak_rss_mb() - before


def _reset_peak_rss() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _status_mb(field: str) -> float | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _rss_mb() -> float:
    rss = _status_mb("VmRSS")
    return rss if rss is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _peak_rss_mb() -> float:
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def print_table(rows: Sequence[dict[str, Any]]) -> None:
    """Print rows as an aligned text table (columns in order of first appearance)."""
    if not rows:
        return
    columns = list(dict.fromkeys(key for row in rows for key in row))
    cells = [[_format(row.get(column)) for column in columns] for row in rows]
    widths = [max(len(column), *(len(line[i]) for line in cells)) for i, column in enumerate(columns)]
    print("  ".join(column.rjust(width) for column, width in zip(columns, widths, strict=True)))
    for line in cells:
        print("  ".join(cell.rjust(width) for cell, width in zip(line, widths, strict=True)))


def _format(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def write_results(part: str, rows: Sequence[dict[str, Any]]) -> None:
    """Merge rows into bench-results.json, replacing earlier rows of the same part."""
    kept = [row for row in _read_results() if row.get("part") != part]
    kept.extend({"part": part, **row} for row in rows)
    temporary = RESULTS_FILE.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(kept, indent=2) + "\n")
    temporary.replace(RESULTS_FILE)


def _read_results() -> list[dict[str, Any]]:
    if not RESULTS_FILE.exists():
        return []
    return json.loads(RESULTS_FILE.read_text())


def postgres_admin(url: str):
    """An autocommit connection to the server's maintenance database, or None when unreachable."""
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    try:
        return psycopg.connect(
            host=parsed.host, port=parsed.port or 5432, user=parsed.username, password=parsed.password,
            dbname="postgres", autocommit=True, connect_timeout=5,
        )
    except psycopg.OperationalError as exc:
        reason = " ".join(str(exc).split())[:160]
        print(f"postgresql skipped: cannot reach {parsed.host}:{parsed.port or 5432} ({reason})")
        return None


@contextlib.contextmanager
def scratch_postgres(url: str) -> Iterator[bool]:
    """The database named in `url`, created on its server for the block and dropped after. Yields
    False (after printing why) when the server cannot be reached, so a part skips its PostgreSQL case."""
    admin = postgres_admin(url)
    if admin is None:
        yield False
        return
    from sqlalchemy.engine import make_url

    name = make_url(url).database
    with admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield True
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
