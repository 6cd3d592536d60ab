"""The one way to page a list: a page of it and its total in one statement, each row carrying
`count(*) OVER ()`.

Counting in a statement of its own doubled a paged list's round trips (the dashboard shows four).
Only a page past the end (no rows, so no total beside them) counts apart.
"""
from __future__ import annotations

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, func

from schoolpeers.extensions import db


class CountedPage(SelectPagination):
    """`items` holds the first column of each row (the entity); `rows` the whole rows, for lists whose
    statement selects more than the entity (e.g. a date beside each mentorship)."""

    def _query_items(self) -> list:
        statement = self._query_args["select"].add_columns(func.count().over())
        rows = db.session.execute(statement.limit(self.per_page).offset(self._query_offset)).all()
        self._counted = rows[0][-1] if rows else (0 if self._query_offset == 0 else None)
        self.rows = [tuple(row[:-1]) for row in rows]
        return [row[0] for row in rows]

    def _query_count(self) -> int:
        return self._counted if self._counted is not None else super()._query_count()


def counted_page(statement: Select, page: int, per_page: int) -> CountedPage:
    return CountedPage(select=statement, session=db.session, page=page, per_page=per_page, error_out=False)
