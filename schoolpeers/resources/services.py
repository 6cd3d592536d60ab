"""The library's rules: counselors write, edit and retire resources; students and mentors are
offered the active ones that suit a grade and the topics at hand. Plain functions that flush; the view
commits."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlsplit

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import selectinload

from schoolpeers.accounts.models import School, Topic, User
from schoolpeers.accounts.topics import TopicChoice
from schoolpeers.extensions import db
from schoolpeers.refusals import FieldRefusal
from schoolpeers.resources.models import Resource, ResourceTopic
from schoolpeers.resources.starter import STARTER_SET

REVIEW_EVERY = timedelta(days=365)
MAX_BODY = 1500
SUGGESTED = 3  # a few ideas, never a wall of links


class ResourceError(FieldRefusal):
    """Bad resource data."""


@dataclass
class ResourceData:
    title: str
    body: str
    review_on: date
    topics: Sequence[TopicChoice] = field(default_factory=list)
    grade_min: int | None = None
    grade_max: int | None = None
    link: str = ""
    service_name: str = ""
    service_contact: str = ""
    source: str = ""


def _validate(school: School, data: ResourceData, resource: Resource | None) -> None:
    title = data.title.strip()
    if not title:
        raise ResourceError("title", "Give it a short title.")
    if not data.body.strip() or len(data.body) > MAX_BODY:
        raise ResourceError("body", f"A few plain sentences, at most {MAX_BODY:,} characters.")
    if data.grade_min is not None and data.grade_max is not None and data.grade_min > data.grade_max:
        raise ResourceError("grade_max", "The highest grade must not be below the lowest.")
    if data.link and not _is_web_address(data.link):
        raise ResourceError("link", "A web address starting with https:// (or http://).")
    if data.service_contact and not data.service_name.strip():
        raise ResourceError("service_name", "Name the service whose contact this is.")
    if any(topic.school_id != school.id for topic in data.topics):
        raise ResourceError("topics", "Choose topics from the school's list.")
    same_title = select(Resource.id).where(Resource.school_id == school.id, Resource.title == title)
    if resource is not None:
        same_title = same_title.where(Resource.id != resource.id)
    if db.session.scalar(same_title) is not None:
        raise ResourceError("title", "The library already has a resource with this title.")


def _is_web_address(value: str) -> bool:
    parts = urlsplit(value.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value.strip()


def save_resource(school: School, data: ResourceData, author: User, resource: Resource | None = None) -> Resource:
    """Write a new resource, or change one of the school's."""
    if resource is not None and resource.school_id != school.id:
        raise ResourceError("title", "This resource belongs to another school.")
    _validate(school, data, resource)
    if resource is None:
        resource = Resource(school_id=school.id, created_by_id=author.id)
        db.session.add(resource)
    resource.title, resource.body = data.title.strip(), data.body.strip()
    resource.grade_min, resource.grade_max, resource.review_on = data.grade_min, data.grade_max, data.review_on
    resource.link = data.link.strip() or None
    resource.service_name = data.service_name.strip() or None
    resource.service_contact = data.service_contact.strip() or None
    resource.source = data.source.strip()
    db.session.flush()
    resource.topic_links = [ResourceTopic(school_id=school.id, resource_id=resource.id, topic_id=topic_id)
                            for topic_id in sorted({t.id for t in data.topics})]
    db.session.flush()
    db.session.expire(resource, ["topics"])
    return resource


def set_active(resource: Resource, active: bool) -> None:
    resource.active = active
    db.session.flush()


def add_starter_set(school: School, author: User, today: date) -> int:
    """Add the starter resources the school does not have yet (by title); returns how many."""
    have = set(db.session.scalars(select(Resource.title).where(Resource.school_id == school.id)))
    topics = {t.name.lower(): t for t in db.session.scalars(select(Topic).where(Topic.school_id == school.id))}
    added = 0
    for starter in STARTER_SET:
        if starter.title in have:
            continue
        save_resource(school, ResourceData(
            title=starter.title, body=starter.body, review_on=today + REVIEW_EVERY, link=starter.link,
            source=starter.source, topics=[topics[name] for name in starter.topics if name in topics]), author)
        added += 1
    return added


def _topics_of_school(school_id: int):
    """Loads the resources' topics in a statement that names the school, as every statement does."""
    return selectinload(Resource.topics.and_(Topic.school_id == school_id))


def library_query(school_id: int, *, retired: bool = False) -> Select:
    """The school's resources by title (for paging), the retired ones too where asked."""
    query = (select(Resource).options(_topics_of_school(school_id))
             .where(Resource.school_id == school_id)
             .order_by(Resource.active.desc(), Resource.title, Resource.id))
    return query if retired else query.where(Resource.active.is_(True))


def review_due_count(school_id: int, today: date) -> int:
    return db.session.scalar(select(func.count()).select_from(Resource).where(
        Resource.school_id == school_id, Resource.active.is_(True), Resource.review_on <= today)) or 0


# Built once and given its values per call: the check-in form lists these on every visit. The option
# that loads their topics names the school, so it is added per call.
_FOR_GRADE = (select(Resource)
              .where(Resource.school_id == bindparam("school_id"), Resource.active.is_(True),
                     Resource.suits_grade(bindparam("grade", type_=Integer)))
              .order_by(Resource.title, Resource.id))


def for_grade(school_id: int, grade: int | None) -> list[Resource]:
    """The active resources that suit this grade (`Resource.suits_grade`), by title."""
    return list(db.session.scalars(_FOR_GRADE.options(_topics_of_school(school_id)),
                                   {"school_id": school_id, "grade": grade}))


def suggest(school_id: int, topic_ids: list[int], grade: int | None, limit: int = SUGGESTED) -> list[Resource]:
    """Active resources for this grade, those sharing the most of these topics first, then the
    general ones (no topic); a resource only for other topics is not suggested."""
    wanted = set(topic_ids)
    ranked = []
    for resource in for_grade(school_id, grade):
        own = {t.id for t in resource.topics}
        if own and not own & wanted:
            continue
        ranked.append((-len(own & wanted), resource.title, resource))
    return [resource for *_order, resource in sorted(ranked, key=lambda entry: entry[:2])[:limit]]
