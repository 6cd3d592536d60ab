"""A student's timeline: requests, mentorships, check-ins (the mentor's and their own) and concerns,
newest first, paged in the database.

One UNION query orders and pages the (kind, id, day) of every entry; the page's records are then
loaded with one query per kind. A student with years of check-ins costs the same as a new one.
"""
from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Date, Integer, Select, String, func, literal, select, union_all
from sqlalchemy.orm import joinedload

from schoolpeers.extensions import db
from schoolpeers.matching.models import MentorRequest
from schoolpeers.mentors.models import CheckIn, Mentorship, SelfCheckIn
from schoolpeers.oversight.models import Concern
from schoolpeers.paging import CountedPage, counted_page

KINDS = ("request", "mentorship", "checkin", "self_checkin", "concern")  # on the same day, in this order


class Entry(NamedTuple):
    day: date
    kind: str
    item: Any


def _day(column):
    return func.date(column, type_=Date)


def entries_query(school_id: int, person_id: int) -> Select:
    """(kind, id, day) of every entry about the person, newest first."""
    def part(kind: str, model, day, *conditions) -> Select:
        return select(literal(kind, String).label("kind"), literal(KINDS.index(kind), Integer).label("rank"),
                      model.id.label("id"), day.label("day")).where(model.school_id == school_id, *conditions)

    entries = union_all(
        part("request", MentorRequest, _day(MentorRequest.created_at), MentorRequest.student_id == person_id),
        part("mentorship", Mentorship, func.coalesce(Mentorship.began_on, _day(Mentorship.created_at), type_=Date),
             (Mentorship.mentee_id == person_id) | (Mentorship.mentor_id == person_id)),
        part("checkin", CheckIn, CheckIn.occurred_on, CheckIn.mentee_id == person_id),
        part("self_checkin", SelfCheckIn, SelfCheckIn.occurred_on, SelfCheckIn.mentee_id == person_id),
        part("concern", Concern, _day(Concern.created_at), Concern.student_id == person_id),
    ).subquery()
    return (select(entries.c.kind, entries.c.id, entries.c.day)
            .order_by(entries.c.day.desc(), entries.c.rank, entries.c.id.desc()))


def timeline_page(school_id: int, person_id: int, page: int, per_page: int) -> CountedPage:
    """A page of (kind, id, day) rows in `rows`, with the total counted in the same statement."""
    return counted_page(entries_query(school_id, person_id), page, per_page)


def load_entries(school_id: int, rows) -> list[Entry]:
    """The records of one page of rows, with what the timeline shows of each: one query per kind."""
    ids = {kind: [record_id for row_kind, record_id, _day in rows if row_kind == kind] for kind in KINDS}
    loads = {  # kind: (model, what its entry shows besides the record)
        "request": (MentorRequest, ()),
        "mentorship": (Mentorship, (joinedload(Mentorship.mentor), joinedload(Mentorship.mentee))),
        "checkin": (CheckIn, (joinedload(CheckIn.mentorship).joinedload(Mentorship.mentor),)),
        "self_checkin": (SelfCheckIn, ()),
        "concern": (Concern, ()),
    }
    records = {}
    for kind, (model, options) in loads.items():
        query = select(model).options(*options).where(model.school_id == school_id, model.id.in_(ids[kind]))
        for record in db.session.scalars(query):
            records[kind, record.id] = record
    return [Entry(as_date(day), kind, records[kind, record_id]) for kind, record_id, day in rows]


def as_date(value) -> date:
    """SQLite's date() answers text even where the column is typed as a date."""
    return date.fromisoformat(value) if isinstance(value, str) else value
