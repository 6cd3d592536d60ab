"""A circle to run sessions in, built straight from the models: its leader, three members who accepted
its agreement (Maya Lopez, Sam Green, Ana Ruiz), a newcomer who has not, a plan, and sessions."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from schoolpeers.accounts.models import School, User
from schoolpeers.accounts.topics import list_topics
from schoolpeers.circles import sessions
from schoolpeers.circles.models import Circle, CircleLeader, CircleMember, GroupSession, SessionAttendance
from schoolpeers.extensions import db
from schoolpeers.resources.models import SessionPlan
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory, make_mentor

MEMBER_NAMES = (("Maya", "Lopez"), ("Sam", "Green"), ("Ana", "Ruiz"))


@dataclass
class Group:
    school: School
    counselor: User
    leader: User
    members: list[User]  # accepted the agreement
    newcomer: User  # a member who has not
    circle: Circle
    plan: SessionPlan

    def member(self, given_name: str) -> User:
        return next(m for m in self.members if m.given_name == given_name)


def build_group(school: School, counselor: User, *, name: str = "Exam stress circle",
                plan_title: str = "Getting to know each other") -> Group:
    leader = make_mentor(school, counselor, given_name="Lee").user
    make = UserFactory(school)
    members = [make("student", given_name=given, family_name=family, grade=8) for given, family in MEMBER_NAMES]
    newcomer = make("student", given_name="Noor", family_name="Haddad", grade=8)
    plan = SessionPlan(school_id=school.id, title=plan_title, opening_round="Names and one word.",
                       activity="Pairs share one hope.", coping_skill="Slow breathing.", closing_round="One word.",
                       minutes=45, created_by_id=counselor.id)
    circle = Circle(school_id=school.id, name=name, topic_id=list_topics(school)[0].id, grade_min=7, grade_max=9,
                    capacity=8, counselor_id=counselor.id, created_by_id=counselor.id)
    circle.leader_links = [CircleLeader(school_id=school.id, leader_id=leader.id)]
    db.session.add_all([plan, circle])
    db.session.flush()
    now = utcnow()
    for student in [*members, newcomer]:
        db.session.add(CircleMember(school_id=school.id, circle_id=circle.id, student_id=student.id, status="member",
                                    asked_at=now - timedelta(days=10), placed_at=now - timedelta(days=9),
                                    agreed_at=None if student is newcomer else now - timedelta(days=9)))
    db.session.commit()
    return Group(school, counselor, leader, members, newcomer, circle, plan)


def add_session(group: Group, *, starts_at: datetime | None = None, status: str = "scheduled") -> GroupSession:
    """A session of the group's circle, by default one that started an hour ago and waits to be logged."""
    session = GroupSession(school_id=group.school.id, circle_id=group.circle.id, plan_id=group.plan.id,
                           title=group.plan.title, starts_at=starts_at or utcnow() - timedelta(hours=1), minutes=45,
                           status=status, created_by_id=group.leader.id)
    db.session.add(session)
    db.session.commit()
    return session


def add_workshop(school: School, counselor: User, *, starts_at: datetime | None = None, capacity: int = 30,
                 grades: tuple[int, int] = (6, 12), signed_up: tuple[User, ...] = ()) -> GroupSession:
    workshop = GroupSession(school_id=school.id, title="Mental health day", about="Open to everyone.",
                            starts_at=starts_at or utcnow() + timedelta(days=5), minutes=60, grade_min=grades[0],
                            grade_max=grades[1], capacity=capacity, created_by_id=counselor.id)
    db.session.add(workshop)
    db.session.flush()
    db.session.add_all(SessionAttendance(school_id=school.id, session_id=workshop.id, student_id=student.id,
                                         signed_up_at=utcnow()) for student in signed_up)
    db.session.commit()
    return workshop


def log_data(present=(), worries=None, moods=None, notes: str = "", how_it_went: str = "well") -> sessions.LogData:
    return sessions.LogData(how_it_went=how_it_went, notes=notes, present={p.id for p in present},
                            worries={p.id: reason for p, reason in (worries or {}).items()}, moods=moods or {})


def log(group: Group, session: GroupSession, **data):
    """Log the session as its leader and commit, as the page does; returns the concerns raised."""
    raised = sessions.log_session(session, log_data(**data), group.leader, utcnow())
    db.session.commit()
    return raised
