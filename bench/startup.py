"""Start-up benchmark: how long a `flask` command takes to start, as a newcomer meets it.

Each case runs the command anew (`--help` lists every command, so it builds the app) ten times,
one after another, and reports the fastest, the median and the slowest wall time. The goal:
`flask --help` under 1 s on a quiet machine. Also timed: building the app alone, in a fresh
interpreter (`create_app()`), which every web worker and job consumer pays once.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 10
CASES = {
    "flask --help": [str(Path(sys.executable).with_name("flask")), "--app", "schoolpeers", "--help"],
    "create_app()": [sys.executable, "-c", "from schoolpeers import create_app; create_app()"],
    "python (the floor)": [sys.executable, "-c", "pass"],
}


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def run() -> list[dict]:
    rows = []
    for name, command in CASES.items():
        timed(command)  # once to write the bytecode caches, as any second start finds them
        times = sorted(timed(command) for _ in range(RUNS))
        rows.append({"case": name, "runs": RUNS, "fastest_s": round(times[0], 3),
                     "median_s": round(statistics.median(times), 3), "slowest_s": round(times[-1], 3)})
    return rows
