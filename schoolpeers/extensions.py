"""Flask extensions, created unbound; `create_app()` binds them."""
import sqlite3
from contextvars import ContextVar

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import Column, ForeignKeyConstraint, MetaData, and_, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import MANYTOONE, DeclarativeBase, Mapper, RelationshipProperty, foreign
from sqlalchemy.orm.strategies import _LazyLoader
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression

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


@event.listens_for(Mapper, "before_mapper_configured")
def join_relationships_on_school(mapper: Mapper, _class) -> None:
    """A relationship between two tables of one school is joined on `school_id` as well as the id.

    Every lazy load, joined load and `Model.relation.any()` then names the school: sharded by school
    (Citus), it runs on that school's shard alone. Left alone: relationships given their own join,
    through a secondary table, to or from a table whose `school_id` may be empty, and those whose
    key already includes `school_id` (the composite keys of `same_school`); a join given by the model
    is widened only when it is a plain `child.x_id == parent.id`."""
    for prop in list(mapper._props.values()):
        if isinstance(prop, RelationshipProperty):
            if prop._init_args.secondary.argument is not None:
                joins = _school_joins_through(mapper, prop)
                if joins is not None:
                    prop._init_args.primaryjoin.argument, prop._init_args.secondaryjoin.argument = joins
                continue
            join = _school_join(mapper, prop)
            if join is not None:
                prop._init_args.primaryjoin.argument = join
                prop._school_joined = True


_emitting_lazy_load: ContextVar[bool] = ContextVar("emitting_lazy_load", default=False)


class _SchoolLazyLoader(_LazyLoader):
    """A many-to-one joined on school and id still takes a related row already in the session by
    its id (ids are unique in the whole installation); only the statement it sends when the row
    is not there names the school. Without this, every such load would be a statement."""

    __slots__ = ()

    @property
    def use_get(self) -> bool:
        return not _emitting_lazy_load.get()

    @use_get.setter
    def use_get(self, _value) -> None:
        pass  # decided by the property above

    def _emit_lazyload(self, *args, **kwargs):
        token = _emitting_lazy_load.set(True)
        try:
            return super()._emit_lazyload(*args, **kwargs)
        finally:
            _emitting_lazy_load.reset(token)


@event.listens_for(Mapper, "mapper_configured")
def look_up_school_joined_rows_by_id(mapper: Mapper, _class) -> None:
    for prop in mapper.relationships:
        if prop.direction is MANYTOONE and getattr(prop, "_school_joined", False):
            strategy = prop._lazy_strategy
            if type(strategy) is _LazyLoader:
                strategy.__class__ = _SchoolLazyLoader


def _refers_to(fk, table) -> bool:
    """Compared by name: a key onto a table not yet defined (its module not imported) is not resolved."""
    return fk.target_fullname.rpartition(".")[0] == table.fullname


def _school_joins_through(mapper: Mapper, prop: RelationshipProperty):
    """A read-only many-to-many through a link table: both halves joined on `school_id` too."""
    args = prop._init_args
    if not prop.viewonly or args.primaryjoin.argument is not None or args.secondaryjoin.argument is not None:
        return None
    prop._process_dependent_arguments()
    prop._setup_entity()
    here, there, link = mapper.local_table, prop.entity.local_table, args.secondary.resolved
    tables = (here, there, link)
    if here is there or not all("school_id" in t.c and not t.c.school_id.nullable for t in tables):
        return None
    joins = []
    for end in (here, there):
        keys = [fk for fk in link.foreign_keys if _refers_to(fk, end) and fk.column.primary_key]
        if len(keys) != 1:
            return None
        joins.append(and_(keys[0].column == foreign(keys[0].parent), end.c.school_id == foreign(link.c.school_id)))
    return tuple(joins)


def _school_join(mapper: Mapper, prop: RelationshipProperty):
    args = prop._init_args
    if args.secondary.argument is not None:
        return None
    prop._process_dependent_arguments()  # resolves names; configuring runs it again, on our join
    prop._setup_entity()
    here, there = mapper.local_table, prop.entity.local_table
    if here is there or not all("school_id" in t.c and not t.c.school_id.nullable for t in (here, there)):
        return None
    given_join = args.primaryjoin.resolved
    if given_join is not None:  # only a plain `child.x_id == parent.id` is widened
        if not isinstance(given_join, BinaryExpression) or given_join.operator is not operators.eq:
            return None
        ends = [given_join.left, given_join.right]
        if not all(isinstance(c, Column) and c.table in (here, there) for c in ends) or ends[0].table is ends[1].table:
            return None
        parents = [c for c in ends if list(c.table.primary_key.columns) == [c]]  # the whole key of its table
        if len(parents) != 1:
            return None
        parent, child = parents[0], next(c for c in ends if c is not parents[0])
        return and_(parent == foreign(child), parent.table.c.school_id == child.table.c.school_id)
    given_columns = set(prop._user_defined_foreign_keys)
    keys = [(fk.parent, fk.column) for table, other in ((here, there), (there, here))
            for fk in table.foreign_keys if _refers_to(fk, other)
            and (not given_columns or fk.parent in given_columns)]
    composite = [c for table, other in ((here, there), (there, here)) for c in table.foreign_key_constraints
                 if len(c.elements) > 1 and _refers_to(c.elements[0], other)]
    if len(keys) != 1 or composite and not given_columns:
        return None
    child, parent = keys[0]
    return and_(parent == foreign(child), parent.table.c.school_id == child.table.c.school_id)


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
