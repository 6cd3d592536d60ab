"""Fixed values written into a statement's SQL instead of bound as parameters.

A prepared statement (psycopg prepares a statement the fifth time a connection runs it) is planned
by PostgreSQL once for all its calls only if that generic plan looks as cheap as one made for the
values. A bound status looks like any other to the generic plan: "open high concerns" are estimated
at a hundred rows where the statistics know there are none, so the statement was planned again on
every call (half a millisecond for the dashboard's counts). Written into the SQL, the fixed status is
known to the generic plan too.
"""
from __future__ import annotations

from enum import Enum

from sqlalchemy import BindParameter, literal


def constant(value) -> BindParameter:
    """`value` rendered into the SQL at execution (our own fixed values only, such as a status)."""
    # An enum member as its plain value: SQLAlchemy knows how to write a str, not a StrEnum, on its own
    # (outside a comparison with a column, which lends its type, as in `column.in_(...)`).
    return literal(value.value if isinstance(value, Enum) else value, literal_execute=True)
