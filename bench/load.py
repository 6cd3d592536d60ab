"""Drive a server with wrk for a fixed time and read back throughput, latency and errors."""
from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "wrk_sessions.lua"
TIMEOUT_S = 5  # a page slower than this counts as an error: a person would have given up
RESULT_LINE = re.compile(r"^RESULT (.*)$", re.MULTILINE)


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int  # responses outside 2xx, and connections that failed or timed out

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def wrk_missing_reason() -> str | None:
    if shutil.which("wrk"):
        return None
    return "wrk is not installed (Debian: apt-get install -y wrk)"


def drive(port: int, targets: list[tuple[str, str | None]], *, seconds: float, connections: int) -> LoadResult:
    """GET the (path, cookie header) targets in turn over `connections` connections from one wrk thread."""
    arguments = [part for path, cookie in targets for part in (path, cookie or "-")]
    command = ["wrk", "--threads", "1", "--connections", str(connections), "--duration", f"{seconds:g}s",
               "--timeout", f"{TIMEOUT_S}s", "--script", str(SCRIPT), f"http://127.0.0.1:{port}", "--", *arguments]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    match = RESULT_LINE.search(output)
    if match is None:
        raise RuntimeError("wrk printed no result:\n" + output[-2000:])
    figures = dict(pair.split("=") for pair in match.group(1).split())
    return LoadResult(
        requests=int(figures["requests"]), seconds=int(figures["duration_us"]) / 1e6,
        p50_ms=int(figures["p50_us"]) / 1000, p95_ms=int(figures["p95_us"]) / 1000,
        p99_ms=int(figures["p99_us"]) / 1000, errors=int(figures["non2xx"]) + int(figures["socket_errors"]),
    )
