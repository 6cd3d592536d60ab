"""Statements over long lists of values: IN (...) asked a batch at a time."""
from __future__ import annotations

from collections.abc import Iterable, Iterator

from sqlalchemy import Select

from schoolpeers.extensions import db

BATCH = 500  # values per IN (...): well within every database's limit on bound variables


def rows_where_in(statement: Select, column, values: Iterable) -> Iterator:
    """The rows of `statement` whose `column` is one of `values`. One IN of 50,000 roster emails would
    pass SQLite's limit on bound variables (32,766 in stock builds)."""
    values = list(dict.fromkeys(values))
    for start in range(0, len(values), BATCH):
        yield from db.session.execute(statement.where(column.in_(values[start:start + BATCH])))
