"""The district's schools as its office sees them: names and counts, never a person."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, func, select

from schoolpeers.accounts.models import District, School, User
from schoolpeers.extensions import db


@dataclass(frozen=True)
class SchoolLine:
    school: School
    students: int
    mentors: int


def _mentor_profiles():
    # The mentors' table by name: a count is all the office needs, and districts stay off the mentors
    # package (tests/test_structure.py).
    return db.metadata.tables["mentor_profiles"]


def district_schools(district: District) -> list[School]:
    return list(db.session.scalars(select(School).where(
        School.district_id == district.id, School.kind == "school").order_by(School.name, School.id)))


def school_lines(district: District) -> list[SchoolLine]:
    """Each school of the district with its active students and active mentors, in two statements."""
    schools = district_schools(district)
    ids = [s.id for s in schools]
    students = dict(db.session.execute(select(User.school_id, func.count()).where(
        User.school_id.in_(ids), User.role == "student", User.active.is_(True)).group_by(User.school_id)).all())
    profiles = _mentor_profiles()
    mentors = dict(db.session.execute(
        select(profiles.c.school_id, func.count()).select_from(profiles)
        .join(User, and_(User.id == profiles.c.user_id, User.school_id == profiles.c.school_id))
        .where(profiles.c.school_id.in_(ids), profiles.c.status == "active", User.active.is_(True))
        .group_by(profiles.c.school_id)).all())
    return [SchoolLine(s, students.get(s.id, 0), mentors.get(s.id, 0)) for s in schools]


def office_people(office: School) -> list[User]:
    return list(db.session.scalars(select(User).where(User.school_id == office.id)
                                   .order_by(User.family_name, User.given_name, User.id)))


def office_of(district: District) -> School:
    return db.session.scalar(select(School).where(School.district_id == district.id,
                                                  School.kind == "district_office"))
