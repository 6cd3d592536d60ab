"""Web benchmark: each role's main pages under load, beside a trivial endpoint of the same server.

A district in PostgreSQL (see bench.district: 50 schools, 40,000 students, 6,000 mentors,
2,000,000 check-ins over three years) in the database `bench_web` (BENCH_DATABASE_URL to change
it), loaded once and kept (`--rebuild` loads it anew). gunicorn serves the app with the production
configuration (2 sync workers; rate limits in Redis). Sessions of each role, from four schools,
sign in through the real forms (counselors and admins with their authenticator code); wrk then
GETs each page for a fixed time over 16 connections, cycling through the four sessions. Three
floor rows (bench.floor_app: a signed-in page that shows nothing, as text and in the site's
layout) measure what every signed-in page costs before it does anything of its own, in the same
run; each page's throughput is compared with its role's empty page in the layout (floor_ratio; the
mentor's for roles without a floor row of their own), measured again beside the page (floor_rps):
the two take turns, three of a third of the time each. On a shared machine the speed drifts over a
run (/healthz a fifth slower at the end of one than at its start; the counselor's floor 554
requests a second at the start of another and 423 right before the dashboard): a floor measured
minutes earlier, or even right before, moved the ratios by as much. /healthz runs first and last:
its mean throughput is the ceiling (ceiling_ratio), shown for context.

Why sync workers: every page is CPU-bound Python (templates, ORM) and both cores are shared with
PostgreSQL, so threads inside a worker would only queue on the GIL; behind a reverse proxy, which
buffers slow clients and keeps the browser connections alive, a sync worker per core is what
gunicorn recommends. Targets for every page: at least 50% of its floor's throughput, p95 at most
50 ms, no error. Nothing personal is cached between requests.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import psycopg

from bench.browser import Browser, sign_in
from bench.district import PASSWORD
from bench.district_db import ensure_district, libpq_url
from bench.floor_app import EMPTY_PAGE, SIGNED_IN_TEXT
from bench.load import LoadResult, drive, wrk_missing_reason
from bench.server import Server, gunicorn, production_env, wait_until_idle

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_web"
REDIS_URL = "redis://127.0.0.1:6379/0"
SAMPLE_SCHOOLS = (1, 13, 26, 38)
WORKERS, WORKER_CLASS, CONNECTIONS = 2, "sync", 16
P95_TARGET_MS, FLOOR_RATIO_TARGET = 50.0, 0.5
ROUNDS = 3  # turns of each page and its floor
TRIVIAL = "healthz"


@dataclass(frozen=True)
class Page:
    name: str
    role: str | None  # None: no session
    path: str  # may name {mentorship_id}: the signed-in mentor's own
    floor: bool = False  # no target: what any signed-in page costs at least


FLOORS = (
    Page("floor: signed in, text", "mentor", SIGNED_IN_TEXT, floor=True),
    Page("floor: mentor, empty page", "mentor", EMPTY_PAGE, floor=True),
    Page("floor: counselor, empty page", "counselor", EMPTY_PAGE, floor=True),
)
#: Each role's floor: its empty page in the layout (the mentor's where a role has none of its own).
FLOOR_OF_ROLE = {"counselor": FLOORS[2]}
DEFAULT_FLOOR = FLOORS[1]
PAGES = (
    Page("student home", "student", "/"),
    Page("mentor my-mentees", "mentor", "/mentor/mentees"),
    Page("check-in form", "mentor", "/mentor/mentorships/{mentorship_id}/checkin"),
    Page("counselor home", "counselor", "/"),
    Page("oversight dashboard", "counselor", "/oversight"),
    Page("matching", "counselor", "/matching"),
    Page("staff reports", "staff", "/reports"),
    Page("admin users", "admin", "/admin/users"),
)
HEALTH = Page(TRIVIAL, None, "/healthz")
SERVED_APP = "bench.floor_app:create_app()"  # the production app, plus the floor pages

# One account per role and school: (username, TOTP secret, an active mentorship of theirs).
ACCOUNT_QUERIES = {
    "student": "SELECT u.username, u.totp_secret, NULL FROM mentorships m JOIN users u ON u.id = m.mentee_id "
               "WHERE m.school_id = %(school)s AND m.status = 'active' ORDER BY m.id LIMIT 1",
    "mentor": "SELECT u.username, u.totp_secret, min(m.id) FROM mentorships m JOIN users u ON u.id = m.mentor_id "
              "WHERE m.school_id = %(school)s AND m.status = 'active' GROUP BY u.id "
              "HAVING count(*) = 2 ORDER BY u.id LIMIT 1",
    **{role: "SELECT username, totp_secret, NULL FROM users WHERE school_id = %(school)s "
             f"AND role = '{role}' ORDER BY id LIMIT 1" for role in ("counselor", "staff", "admin")},
}


def run(rebuild: bool = False, duration: float = 15.0) -> list[dict]:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    reason = unreachable_reason(url)
    if reason:  # a server that is not running, like the tests that need one
        print(f"web skipped: {reason}")
        return []
    missing = wrk_missing_reason()
    if missing:  # a tool to install: say how, and fail
        raise SystemExit(f"web: {missing}")
    env = production_env(url, REDIS_URL)
    print(ensure_district(url, env, rebuild), flush=True)
    print(f"gunicorn: {WORKERS} {WORKER_CLASS} workers; wrk: 1 thread, {CONNECTIONS} connections, "
          f"{duration:g} s per page after a {warmup_seconds(duration):g} s warm-up; "
          f"sessions of schools {', '.join(map(str, SAMPLE_SCHOOLS))}", flush=True)
    with tempfile.TemporaryDirectory() as directory, \
            gunicorn(env, Path(directory) / "gunicorn.log", workers=WORKERS, worker_class=WORKER_CLASS,
                     app=SERVED_APP) as server:
        sessions = sign_in_sessions(server, url)
        measured = [(HEALTH, measure_page(server, HEALTH, sessions, duration), None)]
        measured += [(page, measure_page(server, page, sessions, duration), None) for page in FLOORS]
        for page in PAGES:
            result, floor = measure_beside_floor(server, page, sessions, duration)
            measured.append((page, result, floor.rps))
        measured.append((HEALTH, measure_page(server, HEALTH, sessions, duration), None))
    ceiling = (measured[0][1][0].rps + measured[-1][1][0].rps) / 2
    first_floors = {page: result.rps for page, (result, _), _ in measured if page.floor}
    return [row_for(page, result, peak_mb, ceiling, floor_rps or first_floors[floor_of(page)], position)
            for position, (page, (result, peak_mb), floor_rps) in enumerate(measured)]


def floor_of(page: Page) -> Page:
    return FLOOR_OF_ROLE.get(page.role, DEFAULT_FLOOR)


def measure_beside_floor(server: Server, page: Page, sessions, duration: float
                         ) -> tuple[tuple[LoadResult, float], LoadResult]:
    """The page (with its peak memory) and its role's floor, measured in turns of duration/ROUNDS each,
    so that the machine's drift meets both alike."""
    turns: dict[Page, list[tuple[LoadResult, float]]] = {floor_of(page): [], page: []}
    for turn in range(ROUNDS):
        for measured in turns:
            label = f"{page.name}, turn {turn + 1}" + (" (its floor)" if measured.floor else "")
            turns[measured].append(measure_page(server, measured, sessions, duration / ROUNDS, label))
    page_turns, floor_turns = turns[page], turns[floor_of(page)]
    return ((combined([result for result, _ in page_turns]), max(peak for _, peak in page_turns)),
            combined([result for result, _ in floor_turns]))


def combined(turns: list[LoadResult]) -> LoadResult:
    """Turns of one page as one result: all their requests over all their time; the worst turn's latencies."""
    return LoadResult(requests=sum(t.requests for t in turns), seconds=sum(t.seconds for t in turns),
                      p50_ms=max(t.p50_ms for t in turns), p95_ms=max(t.p95_ms for t in turns),
                      p99_ms=max(t.p99_ms for t in turns), errors=sum(t.errors for t in turns))


def unreachable_reason(url: str) -> str | None:
    try:
        psycopg.connect(libpq_url(url, "postgres"), connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        return "PostgreSQL unreachable: " + " ".join(str(exc).split())[:160]
    return None


def warmup_seconds(duration: float) -> float:
    return max(1.0, duration / 5)


def sign_in_sessions(server: Server, url: str) -> dict[str, list[tuple[str, int | None]]]:
    """Per role: (cookie header, mentorship id) of one signed-in account in each sample school."""
    sessions: dict[str, list[tuple[str, int | None]]] = {}
    with psycopg.connect(libpq_url(url)) as conn:
        for role, query in ACCOUNT_QUERIES.items():
            for school in SAMPLE_SCHOOLS:
                username, secret, mentorship_id = conn.execute(query, {"school": school}).fetchone()
                browser = Browser("127.0.0.1", server.port)
                sign_in(browser, username, PASSWORD, secret)
                sessions.setdefault(role, []).append((browser.cookie_header, mentorship_id))
    return sessions


def measure_page(server: Server, page: Page, sessions, duration: float, label: str | None = None
                 ) -> tuple[LoadResult, float]:
    """(load result, peak RSS of the busiest worker in MB) for one page, after a warm-up."""
    if page.role is None:
        targets = [(page.path, None)]
    else:
        targets = [(page.path.format(mentorship_id=mentorship_id), cookie)
                   for cookie, mentorship_id in sessions[page.role]]
    wait_until_idle(server)
    drive(server.port, targets, seconds=warmup_seconds(duration), connections=CONNECTIONS)
    wait_until_idle(server)
    workers = server.worker_pids()
    for pid in workers:
        reset_peak_rss(pid)
    result = drive(server.port, targets, seconds=duration, connections=CONNECTIONS)
    peak = max((peak_rss_mb(pid) for pid in workers), default=0.0)
    print(f"  {label or page.name}: {result.rps:.0f} req/s, p95 {result.p95_ms:.1f} ms, {result.errors} errors",
          flush=True)
    return result, peak


def reset_peak_rss(pid: int) -> None:
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        pass


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def row_for(page: Page, result: LoadResult, peak_mb: float, ceiling: float, floor: float, position: int) -> dict:
    ratio = result.rps / ceiling if ceiling else 0.0
    floor_ratio = result.rps / floor if floor else 0.0
    misses = []
    if result.p95_ms > P95_TARGET_MS:
        misses.append("p95")
    if result.errors:
        misses.append("errors")
    if page.role is not None and floor_ratio < FLOOR_RATIO_TARGET:
        misses.append("throughput")
    case = page.name if page is not HEALTH else f"{TRIVIAL} ({'first' if position == 0 else 'last'})"
    targets = "none (floor)" if page.floor else "met" if not misses else "missed: " + ", ".join(misses)
    return {"case": case, "wall_s": round(result.seconds, 1), "peak_mb": round(peak_mb, 1),
            "requests": result.requests, "rps": round(result.rps, 1), "p50_ms": round(result.p50_ms, 1),
            "p95_ms": round(result.p95_ms, 1), "p99_ms": round(result.p99_ms, 1), "errors": result.errors,
            "floor_rps": round(floor, 1), "floor_ratio": round(floor_ratio, 3), "ceiling_ratio": round(ratio, 3),
            "targets": targets}
