"""Every statement the main pages and commands run names the school of the rows it touches.

Sharded by school (PostgreSQL with Citus, every table with a `school_id` distributed on it), such a
statement goes to one shard. The test records every statement while the real app serves each page
every role may open, and while the `flask` commands run, and fails on any that reads or writes a
school-scoped table without constraining its `school_id` (see tests/distribution_key.py), unless it
is one of the few in ALLOWED, which span schools by their nature.
"""
from __future__ import annotations

import os
import re
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event

from schoolpeers.extensions import db
from tests.distribution_key import Checker
from tests.factories import PASSWORD, UserFactory, make_district, one_of_each_record
from tests.test_permission_matrix import ACCESS, OK, url_for_rule

# The statements are recorded and compared on SQLite, the suite's default: the ORM sends PostgreSQL the
# same statements with casts spelled its way, so the PostgreSQL leg would only repeat this.
pytestmark = pytest.mark.skipif(bool(os.environ.get("TEST_DATABASE_URL")),
                                reason="statements are checked on SQLite; PostgreSQL sends the same ones")

DATA = Path(__file__).parent / "data"
SCHOOL_ROLES = ("student", "mentor", "counselor", "staff", "admin")
# Tables kept whole on every node (Citus reference tables): no `school_id`, read by every shard.
REFERENCE_TABLES = ("districts", "schools", "sign_in_providers", "sign_in_throttles")
# The district office's pages roll schools up by design; they are checked by district_id, not here.
NOT_DRIVEN = ("static", "districts.", "district_", "sso.")


@dataclass(frozen=True)
class Allowance:
    table: str
    pattern: str  # a regular expression the shortened statement (see `shortened`) matches
    reason: str


# Statements that by their nature span schools. In Citus each runs on every shard in parallel;
# keep the list short, and fix anything else.
ALLOWED = (
    Allowance("users", r"^SELECT … FROM users WHERE users\.(username|email) = \?$",
              "sign-in finds a person by username or email before the school is known"),
    Allowance("users", r"^SELECT … FROM users WHERE users\.(username|email) IN \(\?\)$",
              "usernames and emails are unique in the whole installation, so a roster checks them there"),
    Allowance("concerns", r"^SELECT … FROM concerns WHERE concerns\.status = \? AND .*concerns\.escalated_at",
              "escalation looks for overdue high concerns of every school at once"),
    Allowance("concern_events", r"^SELECT … FROM concerns WHERE concerns\.status = \? AND concerns\.escalated_at "
              r"IS NOT NULL AND NOT \(EXISTS \(SELECT … FROM concern_events WHERE .*concerns\.school_id = "
              r"concern_events\.school_id",
              "escalation retries the lead's mail for every school at once (the events follow their concern)"),
    Allowance("roster_uploads", r"^DELETE FROM roster_uploads WHERE roster_uploads\.created_at < \?$",
              "retention removes expired roster files of every school at once"),
    Allowance("report_export_files", r"^DELETE FROM report_export_files WHERE report_export_files\.created_at < \?$",
              "retention removes expired report files of every school at once"),
)

# Statements found without their school when this test was written, to be fixed (see the README's
# section on Citus for the plan): "part<TAB>table<TAB>shortened statement" lines. A new statement
# without its school fails the test; so does a line here that no longer happens, so the list only
# shrinks.
KNOWN = Path(__file__).parent / "distribution_key_known.txt"


def known(part: str) -> set[str]:
    lines = KNOWN.read_text(encoding="utf-8").splitlines() if KNOWN.exists() else []
    return {line.split("\t", 1)[1] for line in lines if line.startswith(part + "\t")}


def scoped_tables() -> set[str]:
    return {table.name for table in db.metadata.sorted_tables if "school_id" in table.c}


def folded(statement: str) -> str:
    return " ".join(statement.split())


def shortened(statement: str) -> str:
    """The statement without its select lists, which say nothing about which rows it touches, with
    each bound value as `?` and each list of them as one."""
    text = re.sub(r"%\(\w+\)s|\$\d+", "?", folded(statement))
    text = re.sub(r"\?(, \?)+", "?", text)
    return re.sub(r"SELECT (?:(?!SELECT |FROM ).)*?FROM ", "SELECT … FROM ", text)


def allowed(table: str, statement: str) -> Allowance | None:
    text = shortened(statement)
    return next((a for a in ALLOWED if a.table == table and re.search(a.pattern, text)), None)


class Recorder:
    """Every statement sent to the database, with the page or command that sent it."""

    def __init__(self):
        self.where = ""
        self.statements: dict[str, str] = {}  # statement -> the first page or command that ran it

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.setdefault(statement, self.where)

    @contextmanager
    def listening(self):
        event.listen(db.engine, "before_cursor_execute", self)
        try:
            yield self
        finally:
            event.remove(db.engine, "before_cursor_execute", self)

    def offences(self) -> dict[str, str]:
        """"table<TAB>shortened statement" -> the page or command that ran it, for every
        statement that leaves a school-scoped table without its school."""
        checker = Checker(scoped_tables(), db.engine.dialect.name)
        found = {}
        for statement, where in self.statements.items():
            for offence in checker.offences(statement):
                if not allowed(offence.table, statement):
                    found.setdefault(f"{offence.table}\t{shortened(statement)}", where)
        return found

    def check(self, part: str) -> None:
        found, expected = self.offences(), known(part)
        new = {key: where for key, where in found.items() if key not in expected}
        gone = sorted(expected - set(found))
        message = f"{len(new)} statements without the school of their rows:\n\n" + "\n\n".join(
            f"{where}\n  table {key.replace(chr(9), ': ', 1)}" for key, where in sorted(new.items()))
        assert not new, message
        if db.engine.dialect.name == "sqlite":  # the statements were written down as SQLite receives them
            assert not gone, f"Fixed, so remove these lines from {KNOWN.name}:\n" + "\n".join(
                f"{part}\t{key}" for key in gone)


def sign_in(client, session_id: str) -> None:
    now = int(time.time())
    with client.session_transaction() as session:
        session.clear()
        session["_user_id"] = session_id
        session["_fresh"] = True
        session.update(auth_at=now, seen_at=now, mfa_ok=True)


@pytest.fixture
def world(school, other_school, users):
    """One record of every kind in `school`; `other_school` has people too, so a statement that
    forgets the school could see them."""
    people, ids = one_of_each_record(school, dict(users))
    one_of_each_record(other_school, {"student": _user(other_school, "student"),
                                      "counselor": _user(other_school, "counselor")})
    make_district(school, "district-a")
    db.session.commit()
    ids |= {"token": "not-a-token", "fmt": "csv", "filename": "style.css", "school_id": school.id}
    sessions = {role: person.get_id() for role, person in people.items() if role in SCHOOL_ROLES}
    return sessions, ids


def _user(school, role, **values):
    return UserFactory(school)(role, **values)


def page_visits(app, ids):
    """(role, url) for every GET route a school role may open."""
    seen = set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint.startswith(NOT_DRIVEN):
            continue
        rules = ACCESS[rule.endpoint]
        if not isinstance(rules, dict):
            continue
        for role, expected in rules.items():
            if expected == OK and role in SCHOOL_ROLES and (role, rule.rule) not in seen:
                seen.add((role, rule.rule))
                yield role, url_for_rule(rule.rule, ids)


def test_every_page_names_the_school_of_its_rows(app, client, world):
    sessions, ids = world
    recorder = Recorder()
    with recorder.listening():
        for role, url in sorted(page_visits(app, ids)):
            sign_in(client, sessions[role])
            db.session.remove()  # nothing built above may sit in the identity map and hide a query
            recorder.where = f"{role} GET {url}"
            response = client.get(url)
            assert response.status_code < 500, recorder.where
    assert len(recorder.statements) > 150  # the pages really ran
    recorder.check("pages")


def test_signing_in_and_out_names_the_school_after_finding_the_person(app, client, world, school):
    people = {role: _user(school, role, password=PASSWORD) for role in ("student", "staff")}
    logins = {role: (person.username, person.email) for role, person in people.items()}
    db.session.commit()
    recorder = Recorder()
    with recorder.listening():
        for role, (username, email) in logins.items():
            db.session.remove()
            recorder.where = f"{role} signs in"
            response = client.post("/login", data={"login": username if role == "student" else email,
                                                    "password": PASSWORD})
            assert response.status_code == 302, recorder.where
            recorder.where = f"{role} opens home"
            assert client.get("/").status_code == 200
            recorder.where = f"{role} signs out"
            assert client.post("/logout").status_code == 302
        recorder.where = "a wrong password"
        client.post("/login", data={"login": logins["student"][0], "password": "not it"})
    recorder.check("sign-in")


def test_every_command_names_the_school_of_its_rows(app, world, school, tmp_path):
    runner = app.test_cli_runner()
    commands = {
        "matching run": ["matching", "run", "--school", school.slug],
        "roster import": ["roster", "import", str(DATA / "plain_roster.csv"), "--school", school.slug],
        "reports export": ["reports", "export", "--school", school.slug, "--out", str(tmp_path / "r.csv")],
        "retention purge": ["retention", "purge"],
        "reminders send": ["reminders", "send"],
        "families remind": ["families", "remind"],
        "oversight escalate": ["oversight", "escalate"],
        "outbox send": ["outbox", "send"],
    }
    recorder = Recorder()
    with recorder.listening():
        for name, args in commands.items():
            db.session.remove()
            recorder.where = f"flask {name}"
            result = runner.invoke(args=args)
            assert result.exception is None or isinstance(result.exception, SystemExit), (name, result.output)
    recorder.check("commands")


# -- the checker itself -------------------------------------------------------------------------

SCOPED = {"users", "checkins", "mentorships"}


@pytest.mark.parametrize(("statement", "unconstrained"), [
    ("SELECT users.id FROM users WHERE users.id = ?", ["users"]),
    ("SELECT users.id FROM users WHERE users.id = ? AND users.school_id = ?", []),
    ("SELECT users.id FROM users WHERE users.school_id = ? OR users.id = ?", ["users"]),
    ("SELECT u.id FROM users AS u JOIN checkins ON checkins.school_id = u.school_id AND checkins.mentor_id = u.id "
     "WHERE u.school_id IN (?, ?)", []),
    ("SELECT u.id FROM users AS u JOIN checkins ON checkins.mentor_id = u.id WHERE u.school_id = ?", ["checkins"]),
    ("SELECT u.id FROM users AS u WHERE u.school_id = ? AND EXISTS "
     "(SELECT 1 FROM checkins WHERE checkins.school_id = u.school_id)", []),
    ("SELECT u.id FROM users AS u WHERE u.school_id = ? AND EXISTS "
     "(SELECT 1 FROM checkins WHERE checkins.mentor_id = u.id)", ["checkins"]),
    ("SELECT a.x FROM (SELECT users.id AS x, users.school_id AS school_id FROM users WHERE users.school_id = ?) "
     "AS a JOIN checkins ON checkins.school_id = a.school_id", []),
    ("WITH w AS (SELECT id FROM users) SELECT * FROM w", ["users"]),
    ("SELECT 1 FROM users WHERE users.school_id = ? UNION ALL SELECT 1 FROM checkins", ["checkins"]),
    ("UPDATE users SET active = ? WHERE users.id = ?", ["users"]),
    ("UPDATE users SET active = ? WHERE users.id = ? AND users.school_id = ?", []),
    ("DELETE FROM checkins WHERE checkins.id IN (?, ?)", ["checkins"]),
    ("INSERT INTO users (school_id, username) VALUES (?, ?)", []),
    ("INSERT INTO users (username) VALUES (?)", ["users"]),
    ("SELECT schools.id FROM schools", []),
    ("SAVEPOINT sa_savepoint_1", []),
])
def test_the_checker(statement, unconstrained):
    assert [o.table for o in Checker(SCOPED).offences(statement)] == unconstrained


@given(st.sampled_from(sorted(SCOPED)), st.lists(st.sampled_from(["id = ?", "active = 1", "grade > ?"]), max_size=3),
       st.booleans())
def test_a_lookup_is_single_school_exactly_when_it_names_the_school(table, conditions, with_school):
    where = [f"t.{c}" for c in conditions] + (["t.school_id = ?"] if with_school else [])
    statement = f"SELECT t.id FROM {table} AS t" + (" WHERE " + " AND ".join(where) if where else "")
    assert bool(Checker(SCOPED).offences(statement)) is not with_school


def test_relationships_between_rows_of_a_school_join_on_the_school(app):
    """Lazy and eager loads name the school when the relationship's join does (extensions.py widens
    every plain one); an audit event's actor is the exception, its school may be empty."""
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    unjoined = sorted(
        f"{mapper.class_.__name__}.{prop.key}"
        for mapper in db.Model.registry.mappers for prop in mapper.relationships
        if "school_id" in mapper.local_table.c and "school_id" in prop.mapper.local_table.c
        and not any(local.name == "school_id" for local, _ in prop.local_remote_pairs))
    assert unjoined == ["AuditEvent.actor"]
