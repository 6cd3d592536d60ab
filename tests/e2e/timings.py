"""The server's time per page in the browser journeys, reported at the end of the run.

A plugin of the whole suite (named in tests/conftest.py), not of the journeys' folder: in a parallel
run the process that reports runs no test and never reads that folder's conftest, so each worker
hands over what its journeys measured when it finishes.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import pytest

_HANDED_OVER = "e2e_timings"


@dataclass
class Timing:
    journey: str
    step: str
    path: str
    server_ms: float


TIMINGS: list[Timing] = []


def pytest_sessionfinish(session) -> None:
    handed_over = getattr(session.config, "workeroutput", None)  # only in a worker of a parallel run
    if handed_over is not None:
        handed_over[_HANDED_OVER] = [asdict(timing) for timing in TIMINGS]


@pytest.hookimpl(optionalhook=True)  # pytest-xdist's hook: absent from a run without it
def pytest_testnodedown(node, error) -> None:
    TIMINGS.extend(Timing(**timing) for timing in getattr(node, "workeroutput", {}).get(_HANDED_OVER, ()))


def pytest_terminal_summary(terminalreporter) -> None:
    if not TIMINGS:
        return
    terminalreporter.section("server time per page in the browser journeys (ms)")
    for t in sorted(TIMINGS, key=lambda t: -t.server_ms)[:15]:
        terminalreporter.write_line(f"{t.server_ms:7.1f}  {t.path[:45]:<45} {t.journey}: {t.step}")
    median = sorted(t.server_ms for t in TIMINGS)[len(TIMINGS) // 2]
    terminalreporter.write_line(f"{len(TIMINGS)} pages, median {median:.1f} ms")
