"""Every main page runs the same number of SQL statements for a small school and a ten times larger one.

A page whose count grows with the data loads something per row (an N+1) or a whole list; both
break down at district scale. Each school is built directly with the models (fast), then one
request per page is counted with a `before_cursor_execute` listener on the engine.
"""
from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, insert, select

from schoolpeers.accounts import services as accounts
from schoolpeers.accounts.models import School, Topic, User
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.matching.models import MentorRequest
from schoolpeers.mentors.models import (
    CheckIn,
    CheckInRevision,
    CheckInTopic,
    MenteeFeedback,
    MentorProfile,
    Mentorship,
    MentorshipEvent,
)
from schoolpeers.oversight.models import Concern, ConcernEvent, ScreeningMark
from schoolpeers.timeutil import utcnow
from tests.conftest import login
from tests.factories import consent_not_required

MAX_STATEMENTS = 25
LARGER = 10


@dataclass(frozen=True)
class SchoolData:
    """Ids of the people and records the pages are opened with (plain values: the session is
    emptied before each counted request)."""

    school_id: int
    user_ids: dict[str, int]
    mentor_profile_id: int
    mentorship_id: int  # the signed-in mentor's first, with the most check-ins
    mentee_id: int
    concern_id: int


def add_user(school: School, role: str, n: int, **values) -> User:
    user = User(school_id=school.id, role=role, username=f"{school.slug}-{role}{n}", given_name=f"Given{n}",
                family_name=f"Family{n}", grade=values.pop("grade", 8 if role == "student" else None),
                languages=[], password_hash="not-used", **values)
    db.session.add(user)
    return user


def build_school(slug: str, scale: int) -> SchoolData:
    """A school whose every growing list (students, mentors, mentorships, requests, check-ins,
    concerns and their events, feedback, audit events) is `scale` times a small one."""
    today = date.today()
    school = accounts.create_school(f"School {slug}", slug)
    consent_not_required(school)
    people = {role: add_user(school, role, 0) for role in ("counselor", "staff", "admin")}
    counselors = [people["counselor"]] + [add_user(school, "counselor", n) for n in range(1, 1 + scale)]
    students = [add_user(school, "student", n, grade=7) for n in range(1, 1 + 20 * scale)]
    mentors = [add_user(school, "student", 1000 + n, grade=10) for n in range(1, 1 + 4 * scale)]
    db.session.flush()
    topics = list(db.session.scalars(select(Topic).where(Topic.school_id == school.id)))[:3]
    profiles = [MentorProfile(school_id=school.id, user_id=m.id, capacity=5, status="active",
                              certified_until=today + timedelta(days=10 + n % 60), availability=["mon-lunch"])
                for n, m in enumerate(mentors)]
    db.session.add_all(profiles)
    db.session.flush()
    began = today - timedelta(days=400)
    # The signed-in mentor has one mentee in the small school and five (their capacity) in the larger.
    pairs = [(profiles[0], students[i]) for i in range(1 if scale == 1 else 5)]
    rest = iter(students[len(pairs):])
    pairs += [(p, next(rest)) for p in profiles[1:] for _ in range(2)]
    active = [Mentorship(school_id=school.id, profile_id=p.id, mentor_id=p.user_id, mentee_id=s.id,
                         status="active", score=70, explanation="Shared interests.", score_parts=[],
                         began_on=began) for p, s in pairs]
    proposed = [Mentorship(school_id=school.id, profile_id=p.id, mentor_id=p.user_id, mentee_id=next(rest).id,
                           status="proposed", score=60, explanation="Same grade window.", score_parts=[])
                for p in profiles[1:1 + scale]]
    db.session.add_all(active + proposed)
    db.session.flush()
    for m in active + proposed:
        db.session.add(MentorshipEvent(school_id=school.id, mentorship_id=m.id, kind="proposed"))
    for m in active[: scale]:
        db.session.add(MentorshipEvent(school_id=school.id, mentorship_id=m.id, kind="change_requested",
                                       actor_id=m.mentee_id, note="Could we meet online?"))
    for m in proposed:
        db.session.add(MentorRequest(school_id=school.id, student_id=m.mentee_id, status="open", mentorship_id=m.id,
                                     availability=[]))
    waiting = [next(rest) for _ in range(2 * scale)]
    for s in waiting:
        db.session.add(MentorRequest(school_id=school.id, student_id=s.id, status="open", availability=[]))
    for m in active:
        db.session.add(MentorRequest(school_id=school.id, student_id=m.mentee_id, status="matched",
                                     mentorship_id=m.id, availability=[]))
    # Check-ins: three per mentorship in the small school, thirty in the larger; half the
    # mentorships have been quiet for a while (overdue on the dashboard). Core inserts: fast.
    rows = []
    for i, m in enumerate(active):
        last = today - timedelta(days=2 if i % 2 == 0 else 60)
        rows += [dict(school_id=school.id, mentorship_id=m.id, mentor_id=m.mentor_id, mentee_id=m.mentee_id,
                      occurred_on=last - timedelta(days=3 * k), duration_minutes=30, mode="in_person",
                      wellbeing=1 + k % 5, notes="We talked about exams.", worried=False, created_at=utcnow())
                 for k in range(3 * scale)]
    db.session.execute(insert(CheckIn), rows)
    checkin_ids = list(db.session.scalars(select(CheckIn.id).where(CheckIn.school_id == school.id)
                                          .order_by(CheckIn.id)))
    db.session.execute(insert(CheckInTopic), [dict(school_id=school.id, checkin_id=c, topic_id=t.id)
                                              for c in checkin_ids for t in topics[:2]])
    db.session.execute(insert(CheckInRevision), [dict(school_id=school.id, checkin_id=c, previous={"wellbeing": 3},
                                                      at=utcnow()) for c in checkin_ids])
    mentee = active[0].mentee_id
    concerns = [Concern(school_id=school.id, student_id=s, mentorship_id=active[0].id, checkin_id=checkin_ids[0],
                        source="low_wellbeing", severity=("high", "medium", "low")[n % 3], summary="Rated 1.",
                        status="open", ack_due_at=utcnow() - timedelta(minutes=5))
                for n, s in enumerate([mentee] * scale + [m.mentee_id for m in active[1:1 + 2 * scale]])]
    db.session.add_all(concerns)
    db.session.flush()
    for c in concerns:
        db.session.add(ConcernEvent(school_id=school.id, concern_id=c.id, kind="raised", note="Rated 1."))
        db.session.add_all(ConcernEvent(school_id=school.id, concern_id=c.id, kind="note", actor_id=who.id,
                                        note="Spoke to the student.") for who in counselors)
    # Resolved concerns of other mentees' check-ins, marked by counselors (each one's latest counts):
    # a third right, a third not a concern, a third missed; and marks on the concern page's concern.
    marked = [Concern(school_id=school.id, student_id=m.mentee_id, mentorship_id=m.id,
                      checkin_id=checkin_ids[i * 3 * scale], source="risk_language", severity="medium",
                      summary="Worrying words.", status="resolved", acknowledged_at=utcnow(), resolved_at=utcnow(),
                      outcome="support_given") for i, m in enumerate(active[1:1 + 2 * scale], start=1)]
    db.session.add_all(marked)
    db.session.flush()
    said = [dict(verdict="right", screened_severity="medium", screened_categories="bullying"),
            dict(verdict="not_a_concern", screened_severity="low", screened_categories="substance_use"),
            dict(verdict="missed", severity="high", category="self_harm", screened_categories="")]
    db.session.add_all(ScreeningMark(school_id=school.id, concern_id=c.id, checkin_id=c.checkin_id,
                                     counselor_id=who.id, **said[n % 3])
                       for n, c in enumerate(marked) for who in counselors[:2])
    db.session.add_all(ScreeningMark(school_id=school.id, concern_id=concerns[0].id, checkin_id=checkin_ids[0],
                                     counselor_id=who.id, **said[2]) for who in counselors)
    for m in active[: 2 * scale]:
        db.session.add(MenteeFeedback(school_id=school.id, mentorship_id=m.id, mentee_id=m.mentee_id,
                                      rating="not_a_good_fit", comment="We never meet."))
    everyone = [*people.values(), *counselors, *students[:10 * scale]]
    db.session.add_all(AuditEvent(school_id=school.id, actor_id=u.id, action="login.success", detail={})
                       for u in everyone)
    db.session.commit()
    user_ids = {role: u.id for role, u in {**people, "student": students[-1], "mentor": mentors[0]}.items()}
    return SchoolData(school.id, user_ids, profiles[0].id, active[0].id, active[0].mentee_id, concerns[0].id)


@contextmanager
def counted_statements():
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


PAGES: dict[str, tuple[str, Callable[[SchoolData], str]]] = {
    "student home": ("student", lambda d: "/"),
    "mentor home": ("mentor", lambda d: "/"),
    "counselor home": ("counselor", lambda d: "/"),
    "staff home": ("staff", lambda d: "/"),
    "admin home": ("admin", lambda d: "/"),
    "my mentees": ("mentor", lambda d: "/mentor/mentees"),
    "check-in form": ("mentor", lambda d: f"/mentor/mentorships/{d.mentorship_id}/checkin"),
    "check-ins of a mentorship": ("mentor", lambda d: f"/mentor/mentorships/{d.mentorship_id}"),
    "matching": ("counselor", lambda d: "/matching"),
    "mentorships": ("counselor", lambda d: "/matching/mentorships"),
    "mentors": ("counselor", lambda d: "/mentors"),
    "mentor detail": ("counselor", lambda d: f"/mentors/{d.mentor_profile_id}"),
    "dashboard": ("counselor", lambda d: "/oversight"),
    "concern": ("counselor", lambda d: f"/oversight/concerns/{d.concern_id}"),
    "student timeline": ("counselor", lambda d: f"/oversight/students/{d.mentee_id}"),
    "screening quality": ("counselor", lambda d: "/oversight/screening"),
    "screening examples": ("counselor", lambda d: "/oversight/screening/export.csv"),
    "reports": ("counselor", lambda d: "/reports"),
    "report data": ("staff", lambda d: "/reports/data.json"),
    "users": ("admin", lambda d: "/admin/users"),
    "user detail": ("admin", lambda d: f"/admin/users/{d.mentee_id}"),
    "audit log": ("admin", lambda d: "/admin/audit"),
    "supervision": ("counselor", lambda d: "/supervision"),
    "volunteering": ("mentor", lambda d: "/mentor/volunteering"),
    "certificate": ("counselor", lambda d: f"/mentors/{d.mentor_profile_id}/certificate"),
}


def statements_for(client, data: SchoolData, page: str) -> list[str]:
    role, url = PAGES[page]
    login(client, db.session.get(User, data.user_ids[role]))
    path = url(data)
    db.session.remove()  # nothing the test built may sit in the identity map and hide a query
    with counted_statements() as statements:
        response = client.get(path)
    assert response.status_code == 200, (page, response.status_code)
    return statements


def summary(statements: list[str]) -> str:
    """One short line per statement, so a failure shows at a glance which query repeats."""
    return "\n".join(" ".join(s.split())[:160] for s in statements)


@pytest.fixture
def small_and_large(app):
    return build_school("small", 1), build_school("large", LARGER)


@pytest.mark.parametrize("page", list(PAGES))
def test_page_runs_the_same_statements_whatever_the_school_size(client, small_and_large, page):
    small, large = small_and_large
    in_small = statements_for(client, small, page)
    in_large = statements_for(client, large, page)
    assert len(in_small) == len(in_large), f"{len(in_small)} then {len(in_large)}:\n" + summary(in_large)
    assert len(in_large) < MAX_STATEMENTS, summary(in_large)


def test_the_larger_school_really_is_larger(small_and_large):
    small, large = small_and_large

    def count(model, data):
        return db.session.scalar(select(func.count()).select_from(model).where(
            model.school_id == data.school_id))

    for model in (User, MentorProfile, Mentorship, MentorRequest, CheckIn, Concern, ConcernEvent, ScreeningMark,
                  AuditEvent):
        assert count(model, large) >= 5 * count(model, small), model.__name__
