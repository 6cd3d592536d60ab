"""Statements over long lists of values: IN (...) asked a batch at a time."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import ColumnElement, Select, bindparam

from schoolpeers.extensions import db

BATCH = 500  # values per IN (...): well within every database's limit on bound variables
_VALUES = "in_values"


def in_values(column) -> ColumnElement[bool]:
    """`column IN (...)` of the values `rows_of_values` gives, in a statement built once."""
    return column.in_(bindparam(_VALUES, expanding=True))


def rows_of_values(statement: Select, values: Iterable, **params) -> Iterator:
    """The rows of `statement` (filtered by `in_values`) for these values, a batch at a time; `params`:
    its other bound parameters. One IN of 50,000 roster emails would pass SQLite's limit on bound
    variables (32,766 in stock builds)."""
    values = list(dict.fromkeys(values))
    for start in range(0, len(values), BATCH):
        yield from db.session.execute(statement, {**params, _VALUES: values[start:start + BATCH]})


def rows_where_in(statement: Select, column, values: Iterable) -> Iterator:
    """The rows of `statement` whose `column` is one of `values`."""
    return rows_of_values(statement.where(in_values(column)), values)
