"""Plans benchmark: the plans PostgreSQL keeps for the statements of the main pages.

A request that wrote nothing ends with a commit, so that the statements psycopg prepared (from a
statement's fifth run on a connection) outlive it (`schoolpeers/read_only_commit.py`); PostgreSQL
then may keep one plan for every value of a statement's parameters (a generic plan) instead of
making one for each request's values (a custom plan). A generic plan can be far worse: this part
visits each page once, in process with the production configuration, on the web benchmark's
district (`bench.district`, loaded once and kept), records every statement the page runs, and times
each one under both plans (`plan_cache_mode`, 20 runs each after 3 unmeasured). A page's row gives the
time of all its statements under each plan and the statement the generic plan slows most; the target
is that no statement is slower than twice its custom plan plus 0.2 ms. Skipped with a reason when
PostgreSQL cannot be reached.
"""
from __future__ import annotations

import os
import re
import time
from collections.abc import Callable

import psycopg
from sqlalchemy import event

from bench.district_db import ensure_district, libpq_url
from bench.server import production_env
from bench.web import DEFAULT_URL, REDIS_URL, unreachable_reason

RUNS, WARM_UP = 20, 3
SLOWER_BY, SLACK_MS = 2.0, 0.2
SCHOOL = 1
# (role, path): `{mentorship}` is one of the signed-in mentor's, `{mentee}` that mentorship's mentee,
# `{concern}` and `{profile}` a concern and a mentor profile of the school.
PAGES = [
    ("student", "/"), ("mentor", "/"), ("counselor", "/"), ("staff", "/"), ("admin", "/"),
    ("mentor", "/mentor/mentees"), ("mentor", "/mentor/mentorships/{mentorship}/checkin"),
    ("mentor", "/mentor/mentorships/{mentorship}"), ("mentor", "/mentor/volunteering"),
    ("counselor", "/matching"), ("counselor", "/matching/mentorships"), ("counselor", "/mentors"),
    ("counselor", "/mentors/{profile}"), ("counselor", "/mentors/{profile}/certificate"),
    ("counselor", "/oversight"), ("counselor", "/oversight/concerns/{concern}"),
    ("counselor", "/oversight/students/{mentee}"), ("counselor", "/oversight/screening"),
    ("counselor", "/reports"), ("counselor", "/supervision"), ("counselor", "/approvals"),
    ("counselor", "/circles"), ("counselor", "/families/consent"), ("counselor", "/resources"),
    ("staff", "/reports"), ("staff", "/reports/data.json"),
    ("admin", "/admin/users"), ("admin", "/admin/users/{mentee}"), ("admin", "/admin/audit"),
    ("admin", "/admin/settings"),
]
ACCOUNTS = {
    "student": "SELECT m.mentee_id, m.id FROM mentorships m WHERE m.school_id = %(school)s AND m.status = 'active' "
               "ORDER BY m.id LIMIT 1",
    "mentor": "SELECT m.mentor_id, min(m.id) FROM mentorships m WHERE m.school_id = %(school)s "
              "AND m.status = 'active' GROUP BY m.mentor_id HAVING count(*) = 2 ORDER BY m.mentor_id LIMIT 1",
    **{role: f"SELECT min(id), NULL FROM users WHERE school_id = %(school)s AND role = '{role}'"
       for role in ("counselor", "staff", "admin")},
}


def run(rebuild: bool = False) -> list[dict]:
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    reason = unreachable_reason(url)
    if reason:
        print(f"plans skipped: {reason}")
        return []
    env = production_env(url, REDIS_URL)
    print(ensure_district(url, env, rebuild), flush=True)
    os.environ.update({key: env[key] for key in env if key.startswith("SCHOOLPEERS_") or key in (
        "DATABASE_URL", "REDIS_URL")})
    from schoolpeers import create_app

    app = create_app()
    app.config["RATELIMIT_ENABLED"] = False
    rows = []
    with psycopg.connect(libpq_url(url), autocommit=True, cursor_factory=psycopg.ClientCursor) as conn:
        places = _places(conn)
        for role, path in PAGES:
            statements = _statements_of(app, places[role][0], path.format(**places[role][1]))
            timed = [(_time(conn, sql, params, "force_custom_plan"), _time(conn, sql, params, "force_generic_plan"),
                      sql) for sql, params in statements]
            custom, generic, worst = max(timed, key=lambda t: t[1] - t[0])  # the most time lost
            if generic - custom < 0.01:  # no statement loses time to its generic plan
                custom = generic = worst = None
            met = all(g <= SLOWER_BY * c + SLACK_MS for c, g, _ in timed)
            rows.append({"case": f"{role} {path}", "statements": len(timed),
                         "custom_ms": round(sum(t[0] for t in timed), 2),
                         "generic_ms": round(sum(t[1] for t in timed), 2),
                         "worst_custom_ms": custom and round(custom, 2),
                         "worst_generic_ms": generic and round(generic, 2),
                         "worst": worst and " ".join(worst.split())[:50], "targets": "met" if met else "missed"})
    return rows


def _places(conn) -> dict[str, tuple[int, dict]]:
    """Per role: the account that visits, and the ids its pages' paths name."""
    concern, profile = conn.execute(
        "SELECT (SELECT min(id) FROM concerns WHERE school_id = %(s)s), "
        "(SELECT min(id) FROM mentor_profiles WHERE school_id = %(s)s)", {"s": SCHOOL}).fetchone()
    places = {}
    for role, query in ACCOUNTS.items():
        user_id, mentorship_id = conn.execute(query, {"school": SCHOOL}).fetchone()
        mentee = conn.execute("SELECT mentee_id FROM mentorships WHERE id = %s", (mentorship_id,)).fetchone() \
            if mentorship_id else None
        places[role] = (user_id, {"mentorship": mentorship_id, "mentee": mentee[0] if mentee else user_id,
                                  "concern": concern, "profile": profile})
    return places


def _statements_of(app, user_id: int, path: str) -> list[tuple[str, dict]]:
    """Every statement one visit to the page runs (as the signed-in user), with its parameters."""
    from schoolpeers.accounts.models import User
    from schoolpeers.extensions import db

    with app.app_context():
        session_id = db.session.get(User, user_id).get_id()
        engine = db.engine
    client = app.test_client()
    now = int(time.time())
    with client.session_transaction(base_url="https://127.0.0.1") as session:
        session.update({"_user_id": session_id, "_fresh": True, "auth_at": now, "seen_at": now, "mfa_ok": True})
    seen: list[tuple[str, dict]] = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        seen.append((statement, dict(parameters or {})))

    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path, base_url="https://127.0.0.1")
    finally:
        event.remove(engine, "before_cursor_execute", record)
    if response.status_code != 200:
        raise SystemExit(f"plans: {path} answered {response.status_code}")
    return [(sql, params) for sql, params in seen if sql.lstrip().upper().startswith(("SELECT", "WITH"))]


def _time(conn, sql: str, params: dict, mode: str) -> float:
    """Milliseconds one run of the statement takes, prepared, under this plan cache mode."""
    names: list[str] = []

    def numbered(match: re.Match) -> str:
        names.append(match.group(1))
        return f"${len(names)}"

    prepared = re.sub(r"%\((\w+)\)s", numbered, sql).replace("%%", "%")
    values = [params[name] for name in names]
    execute: Callable = (lambda: conn.execute(f"EXECUTE plan_probe({', '.join(['%s'] * len(values))})", values)
                         ) if values else (lambda: conn.execute("EXECUTE plan_probe"))
    conn.execute(f"SET plan_cache_mode = {mode}")
    conn.execute("DEALLOCATE ALL")
    conn.execute(f"PREPARE plan_probe AS {prepared}")  # no values: sent as written
    for _ in range(WARM_UP):
        execute().fetchall()
    start = time.perf_counter()
    for _ in range(RUNS):
        execute().fetchall()
    return (time.perf_counter() - start) / RUNS * 1000

