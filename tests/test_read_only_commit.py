"""A request that wrote nothing ends with COMMIT on PostgreSQL, so that psycopg keeps the statements it
prepared; one that wrote, failed or holds unsaved changes is rolled back as before."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from schoolpeers.accounts.models import School
from schoolpeers.extensions import db
from schoolpeers.read_only_commit import commit_if_nothing_written
from tests.conftest import on_postgresql

postgresql_only = pytest.mark.skipif(not on_postgresql(), reason="psycopg's prepared statements: PostgreSQL only")


def school_name(school_id: int) -> str:
    return db.session.scalar(select(School.name).where(School.id == school_id))


@postgresql_only
def test_a_transaction_that_only_read_is_committed(school):
    db.session.scalar(select(func.count()).select_from(School))
    assert commit_if_nothing_written()
    assert not db.session().in_transaction()


@postgresql_only
def test_a_transaction_that_wrote_is_left_to_its_rollback(school):
    school.name = "Renamed"
    db.session.flush()
    assert not commit_if_nothing_written()
    db.session.rollback()
    assert school_name(school.id) == "Test School"


def test_unsaved_changes_are_never_committed(school):
    school.name = "Renamed"
    assert not commit_if_nothing_written()
    db.session.rollback()
    assert school_name(school.id) == "Test School"


@postgresql_only
def test_a_failed_transaction_is_left_to_its_rollback(app):
    with pytest.raises(DBAPIError):
        db.session.execute(text("SELECT 1 / 0"))
    assert not commit_if_nothing_written()
    db.session.rollback()


@pytest.mark.skipif(on_postgresql(), reason="the SQLite run")
def test_on_sqlite_the_transaction_is_left_alone(school):
    db.session.scalar(select(func.count()).select_from(School))
    assert not commit_if_nothing_written()
    assert db.session().in_transaction()


@postgresql_only
def test_a_statement_prepared_by_one_request_is_there_for_the_next(app):
    probe = text("SELECT 41 + 1")
    with app.app_context():  # a request that runs it often enough for psycopg to prepare it
        for _ in range(6):
            db.session.execute(probe).scalar()
    with app.app_context():  # the next one, on the same pooled connection
        kept = db.session.scalar(text("SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT 41 + 1'"))
    assert kept == 1
