"""Report test data: check-ins and concerns inserted directly (reports only read rows).

Students get ids, names, usernames and notes that cannot be mistaken for anything a report may
show, so a test can look for them in every output.
"""
from __future__ import annotations

import itertools
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from schoolpeers.accounts.models import School, Topic, User
from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn, CheckInTopic, MentorProfile, Mentorship, SelfCheckIn
from schoolpeers.oversight.models import Concern
from schoolpeers.reports.views import CACHE
from tests.factories import make_mentor

FIRST_STUDENT_ID = 7_654_321
SECRET_NOTE = "SECRET-NOTE-about-home"
SECRET_NAMES = ("Zebulon", "Quuxworth")
ID_STEP = 1_000  # autoincrement continues after the highest id: leave room for the factories' users
MARCH, APRIL = date(2025, 3, 4), date(2025, 4, 8)


class Programme:
    """Adds mentees of a school, each with an active mentorship, and their check-ins."""

    def __init__(self, school: School, profile: MentorProfile):
        self.school, self.profile = school, profile
        self.ids = itertools.count(FIRST_STUDENT_ID + school.id, ID_STEP)

    def students(self, count: int, grade: int) -> list[User]:
        made = []
        for _ in range(count):
            n = next(self.ids)
            student = User(id=n, school_id=self.school.id, role="student", grade=grade, username=f"mentee-{n}",
                           given_name=SECRET_NAMES[0], family_name=f"{SECRET_NAMES[1]}{n}", languages=[])
            db.session.add(student)
            db.session.flush()
            db.session.add(Mentorship(school_id=self.school.id, profile_id=self.profile.id,
                                      mentor_id=self.profile.user_id, mentee_id=student.id, status="active",
                                      score=50, explanation="test", began_on=date(2024, 9, 1)))
            made.append(student)
        db.session.flush()
        return made

    def checkins(self, students: list[User], day: date, wellbeing: int = 3, topics: tuple[str, ...] = (),
                 **domains: int) -> list[CheckIn]:
        ids = [student.id for student in students]
        mentorships = dict(db.session.execute(
            select(Mentorship.mentee_id, Mentorship.id).where(Mentorship.mentee_id.in_(ids))).all())
        catalogue = {t.name: t for t in db.session.scalars(select(Topic).where(Topic.school_id == self.school.id))}
        made = []
        for student in students:
            checkin = CheckIn(school_id=self.school.id, mentorship_id=mentorships[student.id],
                              mentor_id=self.profile.user_id, mentee_id=student.id, occurred_on=day,
                              duration_minutes=20, mode="in_person", wellbeing=wellbeing, notes=SECRET_NOTE,
                              worry_reason=SECRET_NOTE, **domains)
            db.session.add(checkin)
            db.session.flush()
            for name in topics:
                topic = catalogue.get(name) or Topic(school_id=self.school.id, name=name)
                catalogue[name] = topic
                db.session.add(topic)
                db.session.flush()
                db.session.add(CheckInTopic(school_id=self.school.id, checkin_id=checkin.id, topic_id=topic.id))
            made.append(checkin)
        db.session.flush()
        return made

    def own_checkins(self, students: list[User], day: date, wellbeing: int = 3, **domains: int) -> None:
        """The students' own check-ins (a self check-in each)."""
        for student in students:
            db.session.add(SelfCheckIn(school_id=self.school.id, mentee_id=student.id, occurred_on=day,
                                       wellbeing=wellbeing, note=SECRET_NOTE, **domains))
        db.session.flush()

    def concern(self, student: User, at: datetime, severity: str = "high") -> Concern:
        concern = Concern(school_id=self.school.id, student_id=student.id, source="manual", severity=severity,
                          summary=SECRET_NOTE, created_at=at)
        db.session.add(concern)
        db.session.flush()
        return concern


@pytest.fixture(autouse=True)
def empty_report_cache(app):
    """Each test starts with no finished reports: the app lives for the whole session, and a clean
    database gives the next test's school the same id (and often the same data extent)."""
    app.extensions[CACHE].clear()


@pytest.fixture
def programme(school, users) -> Programme:
    return Programme(school, make_mentor(school, users["counselor"], grade=12))


@pytest.fixture
def small_school(programme) -> Programme:
    """Grade 7: six students in March and April. Grade 8: two students in March (a group too small to
    show: mean well-being 1.50, every rating low) and six others in April.

    students:        2025-03  2025-04  all periods
      grade 7           6        6         6
      grade 8           2        6         8
      whole school      8       12        14
    """
    seventh = programme.students(6, grade=7)
    programme.checkins(seventh, MARCH, wellbeing=4, topics=("exam stress",))
    programme.checkins(seventh, APRIL, wellbeing=4, topics=("exam stress", "friendships"))
    few = programme.students(2, grade=8)
    programme.checkins(few[:1], MARCH, wellbeing=1, topics=("bullying",))
    programme.checkins(few[1:], MARCH, wellbeing=2, topics=("bullying",))
    eighth = programme.students(6, grade=8)
    programme.checkins(eighth, APRIL, wellbeing=3, topics=("friendships",), school_work=2)
    programme.concern(few[0], datetime(2025, 3, 5, 10, tzinfo=timezone.utc))
    db.session.commit()
    return programme


SMALL_GROUP_MEAN = "1.5"  # grade 8 in March: must never appear anywhere


@pytest.fixture
def clear_school(programme) -> Programme:
    """Grades 7 and 8: twelve students each in March and April (grade 7 rating 4, grade 8 rating 3,
    grade 8's school work 2 in April). Grade 9: two students in March, both rating 1 (a group too
    small to show), one of them with a high concern. Topics: everyone "exam stress", grade 8 also
    "friendships", grade 9 "bullying"."""
    seventh, eighth = programme.students(12, grade=7), programme.students(12, grade=8)
    for day in (MARCH, APRIL):
        programme.checkins(seventh, day, wellbeing=4, topics=("exam stress",))
    programme.checkins(eighth, MARCH, wellbeing=3, topics=("exam stress", "friendships"))
    programme.checkins(eighth, APRIL, wellbeing=3, topics=("exam stress", "friendships"), school_work=2)
    few = programme.students(2, grade=9)
    programme.checkins(few, MARCH, wellbeing=1, topics=("bullying",))
    programme.concern(few[0], datetime(2025, 3, 5, 10, tzinfo=timezone.utc))
    db.session.commit()
    return programme
