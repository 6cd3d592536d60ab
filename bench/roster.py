"""Roster benchmark: a 50,000-user OneRoster file, checked and imported, on SQLite and PostgreSQL.

A seeded synthetic district school: 46,000 students in grades 6-12 and 2,000 teachers with names from
several scripts (accents, Arabic, Chinese), half without a username (chosen by the plan), and 2,000
guardians linked to students. Cases, each in a fresh process (see bench.common), on a database whose
schema is made by the migrations:

* dry-run-N: the plan for a school that has nobody yet (every row a creation), as the upload page
  and `flask roster import --dry-run` run it;
* import-N: the plan under the school's lock, applied and committed (46,000 + 2,000 accounts and
  2,000 guardians written);
* re-import-N: the same file again: a plan that finds every account unchanged, applied;
* delta-N: a file of the same 50,000 rows where 5% changed (grade, name) and 1% are marked
  `tobedeleted`, applied with the deactivations confirmed: their mentoring ends in the same
  transaction.

The goals: a dry run within 5 s, an import within 30 s, each within 300 MB.
"""

from __future__ import annotations

import os
import random
import tempfile
from functools import partial
from pathlib import Path

from bench.common import measure, scratch_postgres

STUDENTS, TEACHERS, GUARDIANS = 46_000, 2_000, 2_000
SEED = 20261203
DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/schoolpeers_bench_roster"
GIVEN = ["Ada", "Zoë", "Chloé", "José", "Mateo", "Amelia", "Noor", "محمد", "小龙", "Đặng", "Siobhán", "Liam",
         "Olivia", "Yusuf", "Ife", "Søren", "Anaïs", "Kwame", "Priya", "Hiroshi"]
FAMILY = ["Lovelace", "O'Brien", "García", "Nguyễn", "العلي", "李", "Müller", "Smith", "Okafor", "Kowalski",
          "Dubois", "Rossi", "Haddad", "Johansson", "Patel", "Tanaka", "Brown", "Silva", "Novak", "Kim"]
HEADER = ("sourcedId,status,dateLastModified,enabledUser,orgSourcedIds,role,username,userIds,givenName,"
          "familyName,middleName,identifier,email,sms,phone,agentSourcedIds,grades,password\n")


def users_csv(changed: float = 0.0, deleted: float = 0.0) -> str:
    """The district's users.csv; `changed` and `deleted`: shares of students changed or marked to go."""
    rng = random.Random(SEED)
    change_rng = random.Random(SEED + 1)
    lines = [HEADER]
    for i in range(STUDENTS + TEACHERS):
        student = i < STUDENTS
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        grade = rng.randint(6, 12)
        username = f"u{i}" if i % 2 else ""
        status = ""
        if student and change_rng.random() < changed:
            grade = 6 + (grade - 5) % 7
            family = family + "-Smith"
        if student and change_rng.random() < deleted:
            status = "tobedeleted"
        role = "student" if student else "teacher"
        email = f"user{i}@district.example.org"
        lines.append(f"id-{i},{status},2026-09-01,true,org-1,{role},{username},,{given},\"{family}\",,{i},"
                     f"{email},,,,{grade if student else ''},\n")
    for g in range(GUARDIANS):
        child = rng.randrange(STUDENTS)
        lines.append(f"gd-{g},,2026-09-01,true,org-1,guardian,,,Parent,\"{rng.choice(FAMILY)}\",,,"
                     f"parent{g}@home.example.org,,555-{g:04d},id-{child},,\n")
    return "".join(lines)


def make_app(url: str):
    from schoolpeers import create_app

    return create_app("testing", {"SQLALCHEMY_DATABASE_URI": url})


def prepare_schema(url: str) -> None:
    """The schema as the migrations make it, and one school."""
    from schoolpeers.accounts.services import create_school
    from schoolpeers.extensions import db
    from schoolpeers.schema import upgrade

    app = make_app(url)
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        create_school("District School", "district")
        db.session.commit()
        db.engine.dispose()


def run_roster(app, text: str, apply: bool) -> tuple[int, int, int]:
    """(created, updated, deactivated): a dry run, or the import as the page runs it, committed."""
    from sqlalchemy import select

    from schoolpeers.accounts.models import School
    from schoolpeers.accounts.roster import apply_import, plan_import
    from schoolpeers.extensions import db

    with app.app_context():
        school = db.session.scalar(select(School).where(School.slug == "district"))
        plan = plan_import(school, text, to_apply=apply)
        assert plan.ok, plan.problems[:3]
        if not apply:
            return len(plan.create), len(plan.update), plan.deactivated_students
        result = apply_import(school, plan, confirmed=plan.deactivated_students)
        db.session.commit()
        return result.created, result.updated, result.deactivated


def prepared(url: str, changed: float = 0.0, deleted: float = 0.0):
    return make_app(url), users_csv(changed, deleted)


def cases(url: str, label: str) -> list[dict]:
    rows = []
    n = STUDENTS + TEACHERS + GUARDIANS
    for case, apply, changed, deleted in (("dry-run", False, 0, 0), ("import", True, 0, 0),
                                          ("re-import", True, 0, 0), ("delta", True, 0.05, 0.01)):
        (created, updated, deactivated), wall_s, peak_mb = measure(
            partial(_call, apply), partial(prepared, url, changed, deleted))
        row = {"case": f"{label}-{case}-{n}", "wall_s": round(wall_s, 3), "peak_mb": round(peak_mb, 1), "rows": n,
               "created": created, "updated": updated, "deactivated": deactivated}
        print(row, flush=True)
        rows.append(row)
    return rows


def _call(apply: bool, prepared_input) -> tuple[int, int, int]:
    app, text = prepared_input
    return run_roster(app, text, apply)


def run() -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory() as directory:
        url = "sqlite:///" + str(Path(directory) / "roster.sqlite")
        prepare_schema(url)
        rows += cases(url, "sqlite")
    url = os.environ.get("BENCH_ROSTER_DATABASE_URL", DEFAULT_URL)
    with scratch_postgres(url) as reachable:
        if reachable:
            prepare_schema(url)
            rows += cases(url, "postgresql")
    return rows
