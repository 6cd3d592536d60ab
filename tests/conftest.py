"""Shared fixtures: one app per session, a clean database per test, users of each role.

The database is built by the real migrations (so every run also checks them) on SQLite,
or on PostgreSQL when TEST_DATABASE_URL points there. `make test` runs the suite in one process
per core (pytest-xdist, each test file in one process): each has its own SQLite file, or its own
PostgreSQL database beside the one named (`test_gw0`, `test_gw1`...), made when missing.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time

import psycopg
import pytest
from aiosmtpd.controller import Controller
from flask import g, has_app_context
from flask.testing import FlaskClient
from hypothesis import settings
from psycopg import sql
from sqlalchemy import event, make_url, text

from schoolpeers import create_app
from schoolpeers.accounts import services
from schoolpeers.extensions import db
from tests.factories import UserFactory, consent_not_required

ROLES_UNDER_TEST = ("student", "counselor", "staff", "admin")
pytest_plugins = ["tests.e2e.timings"]  # reports the browser journeys' page times, in a parallel run too

# On a developer's machine the property tests draw new examples every run (and replay the ones
# that failed); in CI they draw the same ones every time, so that a run's result does not depend
# on chance. A failure found either way becomes an explicit test.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
        return worker_database(url)
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


def worker_database(url: str) -> str:
    """The database of this test process: the one named, or in a process of a parallel run its own
    beside it, made when missing (every test empties the tables, which two processes cannot share)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    named = make_url(url)
    own = f"{named.database}_{worker}"
    server = named.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(server, autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (own,)).fetchone() is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(own)))
    return named.set(database=own).render_as_string(hide_password=False)


def on_postgresql() -> bool:
    return os.environ.get("TEST_DATABASE_URL", "").startswith(("postgresql", "postgres:"))


def pytest_collection_modifyitems(config, items) -> None:
    """On PostgreSQL only the tests that use the app (and so the database) run: the others (the pure
    cores' properties, the screening corpus and its model) would run exactly as in the SQLite run,
    which covers them."""
    if not on_postgresql():
        return
    kept = [item for item in items if "app" in getattr(item, "fixturenames", ())]
    if len(kept) < len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in set(kept)])
        items[:] = kept


def pytest_report_header(config) -> str | None:
    if on_postgresql():
        return "PostgreSQL run: tests that use no database are left to the SQLite run (deselected)"
    return None


def reset_schema() -> None:
    """Drop every table, including ones a previous run's migrations left behind."""
    if db.engine.dialect.name == "postgresql":
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    else:
        db.engine.dispose()
        path = db.engine.url.database
        if path and os.path.exists(path):
            os.remove(path)


def skip_sqlite_disk_flush(dbapi_connection, _record) -> None:
    """A test database need not survive a power cut, so SQLite does not wait for the disk at each
    commit (a test commits a handful of times; each wait was milliseconds). Locking is unchanged."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.execute("PRAGMA synchronous = OFF")


class FreshUserClient(FlaskClient):
    """Tests hold an app context open, and Flask reuses it (and `g`) for requests made inside it.
    Forget the cached signed-in user before each request, as a real new request would."""

    def open(self, *args, **kwargs):
        if has_app_context():
            g.pop("_login_user", None)
        return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    from schoolpeers.schema import upgrade

    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url(tmp_path_factory)})
    app.test_client_class = FreshUserClient
    with app.app_context():
        event.listen(db.engine, "connect", skip_sqlite_disk_flush)
        reset_schema()
        upgrade()
    return app


# Sequences a test drew ids from start again at 1, as SQLite's ids do once their table is empty.
RESTART_USED_SEQUENCES = text(
    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false) FROM pg_sequences"
    " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
)


def empty_every_table() -> None:
    """Children first; the one cycle (a school's designated lead) is cut beforehand. DELETE on
    PostgreSQL too: TRUNCATE makes new files for every table, index and sequence it names, and
    doing that for the whole schema after each test was most of the PostgreSQL leg's time, where
    deleting the few rows a test wrote is quick. (SQLite's PRAGMA foreign_keys cannot be switched
    inside a transaction, so it stays on.)"""
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE schools SET designated_lead_id = NULL"))
        for table in tables:
            conn.execute(text(f"DELETE FROM {table}"))
        if conn.dialect.name == "postgresql":
            conn.execute(RESTART_USED_SEQUENCES)


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Every test starts from empty tables (only for tests that use the app)."""
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        yield
        db.session.rollback()
        db.session.remove()
        empty_every_table()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def school(app):
    school = services.create_school("Test School", "test-school")
    consent_not_required(school)
    db.session.commit()
    return school


@pytest.fixture
def other_school(app):
    school = services.create_school("Other School", "other-school")
    consent_not_required(school)
    db.session.commit()
    return school


@pytest.fixture
def make_user(school):
    return UserFactory(school)


@pytest.fixture
def users(make_user):
    """One active user of each role in `school`."""
    made = {role: make_user(role) for role in ROLES_UNDER_TEST}
    db.session.commit()
    return made


@pytest.fixture
def outsider(other_school):
    """An admin of another school: sees nothing of `school`."""
    user = UserFactory(other_school)("admin")
    db.session.commit()
    return user


def login(client, user) -> None:
    """Sign in without the password and code round trip (the sign-in pages have their own tests)."""
    now = int(time.time())
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
        session.update(auth_at=now, seen_at=now, mfa_ok=True)


@pytest.fixture
def login_as(client):
    def _login(user):
        login(client, user)
        return client

    return _login


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_inbox(app):
    """A real SMTP server on localhost; the app is pointed at it for the test."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    old = {k: app.config.get(k) for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    try:
        yield inbox
    finally:
        app.config.update(old)
        controller.stop()
