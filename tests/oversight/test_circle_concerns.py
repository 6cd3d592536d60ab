"""Concerns raised from a circle's session: about a named member, or about the circle as a group (no
student). Every oversight page and list says whom each is about and which session raised it."""
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError

from schoolpeers.accounts.topics import list_topics
from schoolpeers.circles.models import Circle, GroupSession
from schoolpeers.extensions import db
from schoolpeers.notifications.reminders import counselor_digest
from schoolpeers.oversight import notify, services
from schoolpeers.oversight.models import Concern
from schoolpeers.overview import timeline
from schoolpeers.reports.loading import load_concerns
from schoolpeers.timeutil import utcnow
from tests.factories import UserFactory


@pytest.fixture
def sessions(school, users):
    """A held session of the circle "Exam stress circle", and a workshop held yesterday."""
    counselor, now = users["counselor"], utcnow()
    circle = Circle(school_id=school.id, name="Exam stress circle", topic_id=list_topics(school)[0].id,
                    grade_min=7, grade_max=9, capacity=8, counselor_id=counselor.id)
    db.session.add(circle)
    db.session.flush()
    held = GroupSession(school_id=school.id, circle_id=circle.id, title="When exams pile up",
                        starts_at=now - timedelta(days=1), status="held", notes="We talked about revision.")
    workshop = GroupSession(school_id=school.id, title="Mental health day", starts_at=now - timedelta(days=1),
                            grade_min=7, grade_max=12, capacity=40, status="held")
    db.session.add_all([held, workshop])
    db.session.commit()
    return held, workshop


def raise_about(school, users, session, student=None, severity="high", source="circle_notes") -> Concern:
    concern = services.raise_concern(school, student, source=source, severity=severity,
                                     summary="In the circle's session: words about hurting oneself.",
                                     raised_by=None, now=utcnow(), group_session_id=session.id)
    db.session.commit()
    return concern


def test_a_concern_about_the_circle_shows_acknowledges_and_resolves(client, school, users, sessions, login_as):
    held, _ = sessions
    concern = raise_about(school, users, held)
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{concern.id}").get_data(as_text=True)
    assert "A circle: Exam stress circle" in page
    assert "Read the session's notes" in page and f'href="/sessions/{held.id}"' in page
    assert "timeline" not in page and "not about one named member" in page
    client.post(f"/oversight/concerns/{concern.id}/acknowledge")
    assert db.session.get(Concern, concern.id).status == "acknowledged"
    refused = client.post(f"/oversight/concerns/{concern.id}/resolve", data={"outcome": "support_given", "note": ""})
    assert "Resolve the concern: A circle: Exam stress circle" in refused.get_data(as_text=True)
    client.post(f"/oversight/concerns/{concern.id}/resolve", data={"outcome": "support_given",
                                                                   "note": "Talked with both leaders."})
    db.session.expire_all()
    resolved = db.session.get(Concern, concern.id)
    assert (resolved.status, resolved.outcome, resolved.student_id) == ("resolved", "support_given", None)
    assert [e.kind for e in resolved.events] == ["raised", "acknowledged", "resolved"]


def test_a_concern_about_a_member_names_them_and_its_session(client, school, users, sessions, login_as):
    held, _ = sessions
    member = users["student"]
    concern = raise_about(school, users, held, student=member, severity="medium", source="circle_worry")
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{concern.id}").get_data(as_text=True)
    assert member.display_name in page and f"/oversight/students/{member.id}" in page
    assert "Exam stress circle: When exams pile up" in page and f'href="/sessions/{held.id}"' in page
    assert "A circle:" not in page
    client.post(f"/oversight/concerns/{concern.id}/resolve", data={"outcome": "no_further_action", "note": "Fine."})
    assert db.session.get(Concern, concern.id).status == "resolved"
    # On the member's timeline; a worry about the group is on nobody's.
    group = raise_about(school, users, held)
    entries = timeline.load_entries(school.id, timeline.timeline_page(school.id, member.id, 1, 25).rows)
    assert [e.item.id for e in entries if e.kind == "concern"] == [concern.id]
    assert group.id not in [e.item.id for e in entries]


def test_a_concern_about_a_workshop_names_it(client, school, users, sessions, login_as):
    _, workshop = sessions
    concern = raise_about(school, users, workshop, source="circle_feedback")
    login_as(users["counselor"])
    page = client.get(f"/oversight/concerns/{concern.id}").get_data(as_text=True)
    assert "A workshop: Mental health day" in page and f'href="/sessions/{workshop.id}"' in page


def test_the_dashboard_lists_both_kinds(client, school, users, sessions, login_as):
    held, workshop = sessions
    about_group = raise_about(school, users, held)
    about_member = raise_about(school, users, held, student=users["student"], severity="medium")
    about_workshop = raise_about(school, users, workshop, severity="low")
    login_as(users["counselor"])
    page = client.get("/oversight").get_data(as_text=True)
    assert "Open concerns (3)" in page
    for concern, about in ((about_group, "A circle: Exam stress circle"), (about_member, users["student"].display_name),
                           (about_workshop, "A workshop: Mental health day")):
        assert f'<a href="/oversight/concerns/{concern.id}">{about}</a>' in page


def test_another_schools_session_is_never_named(client, school, other_school, users, sessions, login_as):
    """A concern points at a session by id: the name is read within the concern's school only."""
    held, _ = sessions
    concern = services.raise_concern(other_school, None, source="circle_notes", severity="low", summary="x",
                                     raised_by=None, now=utcnow(), group_session_id=held.id)
    login_as(UserFactory(other_school)("counselor"))
    db.session.commit()
    page = client.get(f"/oversight/concerns/{concern.id}").get_data(as_text=True)
    assert "Exam stress circle" not in page and "/sessions/" not in page and "A group" in page


def test_the_database_refuses_a_concern_about_nobody(school):
    with pytest.raises(services.ConcernError):
        services.raise_concern(school, None, source="manual", severity="low", summary="x", raised_by=None,
                               now=utcnow())
    with pytest.raises(IntegrityError, match="about_someone"):
        db.session.execute(insert(Concern).values(school_id=school.id, source="manual", severity="low",
                                                  summary="x", status="open", created_at=utcnow()))
    db.session.rollback()


def test_the_mail_says_a_group_without_naming_it(school, users, sessions, smtp_inbox):
    held, _ = sessions
    raise_about(school, users, held)
    notify.on_group_session_committed(school.id, held.id)
    [message] = smtp_inbox.messages
    body = message.content.decode()
    assert "about a peer-support group" in body and "Exam stress" not in body and "/oversight/concerns/" in body


def test_reports_count_a_group_concern_in_no_students_figures(school, users, sessions):
    held, _ = sessions
    raise_about(school, users, held)
    raise_about(school, users, held, student=users["student"], severity="medium")
    frame = load_concerns(school, frozenset(range(1, 14)), None, None)
    assert list(frame["mentee_key"]) == [users["student"].id] and list(frame["severity"]) == ["medium"]


def test_the_counselors_digest_counts_a_group_concern_among_new_ones(school, users, sessions):
    held, _ = sessions
    raise_about(school, users, held)
    [reminder] = counselor_digest(school, utcnow().date(), utcnow())
    assert "new concerns in the last day: 1" in reminder.body and "Exam stress" not in reminder.body
