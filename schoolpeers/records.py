"""Columns read straight into small immutable records, for lists that only show a few of them.

An entity costs the ORM its identity map, its instance state and, for the columns left out by
`load_only`, a loader each: for the matching page's 25 requests with their students that was more
than the statement itself. A list that only shows some columns selects `Into(Record, *columns)`,
a NamedTuple per row (a record may hold another: `Into(Person, ...)` among the columns).
"""
from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Bundle


class Into(Bundle):
    """The columns (or records) given, read into `record`, a NamedTuple class of as many fields."""

    def __init__(self, record: type[tuple], *columns: Any) -> None:
        super().__init__(record.__name__, *columns)
        self.record = record

    def create_row_processor(self, query, procs, labels):  # noqa: ANN001, ANN201 - SQLAlchemy's hook
        make = self.record._make
        return lambda row: make([proc(row) for proc in procs])
