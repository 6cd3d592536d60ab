"""The one way to page a list: a page of it and its total in one statement, each row carrying
`count(*) OVER ()`.

Counting in a statement of its own doubled a paged list's round trips (the dashboard shows four).
Only a page past the end (no rows, so no total beside them) counts apart.

A list the busiest pages show is built once, with bound parameters (the school, a day), given to
`counted_page` with their values: its paged form is then made once too, where building and keying a
statement anew on every visit cost a third of a millisecond a list.

A list whose candidates PostgreSQL cannot count ahead may choose its page first and join what the
page shows after (`pages_itself`): otherwise, expecting many candidates, it joins every person of the
school to them before the page is chosen.
"""
from __future__ import annotations

from typing import Any
from weakref import WeakKeyDictionary

from flask_sqlalchemy.pagination import SelectPagination
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import lazyload

from schoolpeers.extensions import db

_PAGES_ITSELF = "pages_itself"
# The paged form of each statement, kept while the statement lives: a list built once keeps its own.
_PAGED: WeakKeyDictionary[Select, Select] = WeakKeyDictionary()


def page_bounds(statement: Select) -> Select:
    """The statement cut to the page asked (`page_limit` and `page_offset` given at execution)."""
    return statement.limit(bindparam("page_limit")).offset(bindparam("page_offset"))


def pages_itself(statement: Select) -> Select:
    """Mark a statement that applies `page_bounds` to its candidates itself and carries their total,
    `count(*) OVER ()` taken before the bounds, as its last column."""
    return statement.execution_options(**{_PAGES_ITSELF: True})


def _is_paged_itself(statement: Select) -> bool:
    return bool(statement.get_execution_options().get(_PAGES_ITSELF))


def _paged(statement: Select) -> Select:
    if _is_paged_itself(statement):
        return statement
    paged = _PAGED.get(statement)
    if paged is None:
        paged = _PAGED[statement] = page_bounds(statement.add_columns(func.count().over()))
    return paged


class CountedPage(SelectPagination):
    """`items` holds the first column of each row (the entity); `rows` the whole rows, for lists whose
    statement selects more than the entity (e.g. a date beside each mentorship)."""

    def _query_items(self) -> list:
        if self._query_args["total"] == 0:  # counted already: nothing to ask for
            self._counted, self.rows = 0, []
            return []
        rows = self._rows(self.per_page, self._query_offset)
        self._counted = rows[0][-1] if rows else (0 if self._query_offset == 0 else None)
        self.rows = [tuple(row[:-1]) for row in rows]
        return [row[0] for row in rows]

    def _rows(self, limit: int, offset: int) -> list:
        statement, params = self._query_args["select"], self._query_args["params"]
        return db.session.execute(_paged(statement), {**params, "page_limit": limit, "page_offset": offset}).all()

    def _query_count(self) -> int:
        if self._counted is not None:
            return self._counted
        statement = self._query_args["select"]
        if _is_paged_itself(statement):
            first = self._rows(1, 0)
            return first[0][-1] if first else 0
        counted = select(func.count()).select_from(statement.options(lazyload("*")).order_by(None).subquery())
        return db.session.execute(counted, self._query_args["params"]).scalar()


def counted_page(statement: Select, page: int, per_page: int, *, total: int | None = None,
                 **params: Any) -> CountedPage:
    """A page of the list; `params`: the values of a statement built once with bound parameters.
    `total`: the list's length, when a statement the page runs anyway counted it (a list that is
    usually empty, such as a rare event's, then costs nothing when it is)."""
    return CountedPage(select=statement, params=params, total=total, session=db.session, page=page,
                       per_page=per_page, error_out=False)
