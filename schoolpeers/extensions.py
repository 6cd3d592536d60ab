"""Flask extensions, created unbound; `create_app()` binds them."""
import sqlite3

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import ForeignKeyConstraint, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# One naming convention so that every constraint has a stable name in migrations.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def same_school(column: str, name: str, target: str = "users", ondelete: str | None = None) -> ForeignKeyConstraint:
    """A composite key (school_id, `column`) onto `target`'s (school_id, id): the row it names is of the
    same school, in the database."""
    return ForeignKeyConstraint(["school_id", column], [f"{target}.school_id", f"{target}.id"], name=name,
                                ondelete=ondelete)


def sql_in(values) -> str:
    """The text of a CHECK constraint's list of allowed values (strings or string enums): ('a', 'b')."""
    return "(" + ", ".join(f"'{v}'" for v in map(str, values)) + ")"


@event.listens_for(Engine, "connect")
def enforce_sqlite_foreign_keys(dbapi_connection, _record) -> None:
    """SQLite ignores foreign keys unless asked; we want the same integrity as PostgreSQL."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI: Redis when several app servers share the limits.
limiter = Limiter(key_func=get_remote_address)


def limit_exports_per_person():
    """Downloads of reports and logs, per signed-in person (EXPORT_LIMIT_PER_PERSON): a file is work
    for the server that one person should not ask for many times a minute. Keyed by the person's id,
    not `get_id()`, which carries the session version that signing out changes."""
    from flask import current_app
    from flask_login import current_user

    return limiter.limit(lambda: current_app.config["EXPORT_LIMIT_PER_PERSON"],
                         key_func=lambda: f"export:{getattr(current_user, 'id', None) or get_remote_address()}")
