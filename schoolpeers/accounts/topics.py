"""A school's topics, kept per version of its list.

Forms list the topics on many pages (the check-in form, which mentors open most, among them), and a
school's topics hardly ever change. Each change gives the school a new random `topics_version` in
the same flush; the version comes with the person on every request, so a page finds the list it
needs in this process's cache without a statement, and a changed list is read afresh. Nothing
personal is kept: topic names and ids.
"""

from __future__ import annotations

import functools
from typing import NamedTuple

from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from schoolpeers.accounts.models import School, Topic, new_topics_version
from schoolpeers.audit import refuse_bulk_changes
from schoolpeers.extensions import db

CACHED_SCHOOLS = 1024  # lists kept; one per school and version


class TopicChoice(NamedTuple):
    """A topic as forms and services use it (never a database object: it outlives the request)."""

    id: int
    school_id: int
    name: str


_TOPICS = select(Topic.id, Topic.school_id, Topic.name).where(
    Topic.school_id == bindparam("school_id")).order_by(Topic.name)


def list_topics(school: School) -> tuple[TopicChoice, ...]:
    """The school's topics by name, as of its `topics_version`."""
    return _topics_at(school.id, school.topics_version)


@functools.lru_cache(maxsize=CACHED_SCHOOLS)
def _topics_at(school_id: int, version: str) -> tuple[TopicChoice, ...]:
    return tuple(TopicChoice(*row) for row in db.session.execute(_TOPICS, {"school_id": school_id}))


# Every session: requests, the CLI and the tests.
@event.listens_for(Session, "before_flush")
def _new_version_when_topics_change(session: Session, flush_context, instances) -> None:
    changed = {topic.school_id for topic in (*session.new, *session.deleted) if isinstance(topic, Topic)}
    changed.update(topic.school_id for topic in session.dirty
                   if isinstance(topic, Topic) and session.is_modified(topic))
    for school_id in changed:
        school = session.get(School, school_id)
        if school is not None:
            school.topics_version = new_topics_version()


class TopicsChangedInBulk(RuntimeError):
    """A bulk statement would change topics without a new version of the school's list."""


refuse_bulk_changes(Topic, error=TopicsChangedInBulk,
                    message="Topics change one by one through the session, which versions the school's list.")
