"""A request that wrote nothing ends its PostgreSQL transaction with COMMIT instead of ROLLBACK.

psycopg prepares a statement the fifth time a connection runs it, and PostgreSQL then keeps its plan:
planning the statements of a page again on each visit cost it up to a third of its time. But psycopg
forgets every prepared statement at a ROLLBACK, which is how a request's session ends. For a transaction
that wrote nothing, as PostgreSQL itself says (no transaction id was ever assigned to it), a COMMIT
changes nothing a ROLLBACK would not: so the plans survive, and a request that wrote (and did not
commit) is rolled back as before.
"""
from __future__ import annotations

import logging

from flask import Flask
from psycopg.pq import TransactionStatus
from sqlalchemy import Connection
from sqlalchemy.exc import SQLAlchemyError

from schoolpeers.extensions import db

NOTHING_WRITTEN = "SELECT txid_current_if_assigned() IS NULL"
log = logging.getLogger(__name__)


def wrote_nothing(connection: Connection) -> bool:
    """Whether the PostgreSQL transaction on this connection has written nothing so far."""
    return bool(connection.exec_driver_sql(NOTHING_WRITTEN).scalar())


def commit_if_nothing_written() -> bool:
    """Commit the session's transaction when it wrote nothing and holds no unsaved change; whether it did."""
    if not db.session.registry.has():
        return False  # no session was opened
    session = db.session()
    if not session.in_transaction() or session.new or session.dirty or session.deleted:
        return False
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return False  # SQLite has no prepared statements to keep
    if connection.connection.driver_connection.info.transaction_status != TransactionStatus.INTRANS:
        return False  # failed, or idle: a rollback it is
    try:
        if not wrote_nothing(connection):
            return False
        session.commit()
    except SQLAlchemyError:  # the connection went away meanwhile: the session's removal cleans up
        log.warning("ending a read-only transaction failed", exc_info=True)
        return False
    return True


def use_last_connection_first(app: Flask) -> None:
    """On PostgreSQL, the pooled connection used last serves the next request, with the statements it has
    prepared (the pool's default hands out the one idle longest). Set before the engine is made."""
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "pool_use_lifo": True}


def register(app: Flask) -> None:
    """Before the session is removed at the end of each app context (each request, in production): so
    call it after `db.init_app`, as Flask runs these last registered first."""

    @app.teardown_appcontext
    def end_read_only_transaction(error: BaseException | None) -> None:
        if error is None:
            commit_if_nothing_written()
