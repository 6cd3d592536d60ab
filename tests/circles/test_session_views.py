"""The group sessions pages: a leader schedules and logs (on a phone, without JavaScript), counselors
read and run workshops, members give one-tap feedback and sign up, and nobody sees another member's
feedback."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from schoolpeers.audit import AuditEvent
from schoolpeers.circles import feedback
from schoolpeers.circles.models import FeedbackGiven, GroupSession, MoodCount, SessionAttendance, SessionComment
from schoolpeers.extensions import db
from schoolpeers.oversight.models import Concern
from schoolpeers.timeutil import as_utc, utcnow
from tests.circles.session_world import add_session, add_workshop, build_group, log
from tests.factories import UserFactory


@pytest.fixture
def group(school, users):
    return build_group(school, users["counselor"])


def page(response) -> str:
    return response.get_data(as_text=True)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def log_form(group, *, present=(), worried=(), moods=None, notes="", how_it_went="well") -> dict:
    data = {"how_it_went": how_it_went, "notes": notes}
    data |= {f"present_{p.id}": "y" for p in present} | {f"worried_{p.id}": "y" for p in worried}
    data |= {f"mood_{mood}": str((moods or {}).get(mood, 0)) for mood in range(1, 6)}
    return data


# --- scheduling ----------------------------------------------------------------------------------

def test_a_leader_schedules_a_session_at_the_schools_time(client, login_as, school, group):
    school.timezone = "America/New_York"
    db.session.commit()
    login_as(group.leader)
    form_page = page(client.get(f"/circles/{group.circle.id}/sessions/new"))
    assert "Getting to know each other" in form_page and 'type="datetime-local"' in form_page
    local = (datetime.now(ZoneInfo("America/New_York")) + timedelta(days=3)).replace(second=0, microsecond=0)
    response = client.post(f"/circles/{group.circle.id}/sessions/new", data={
        "plan_id": group.plan.id, "starts_at": local.strftime("%Y-%m-%dT%H:%M"), "minutes": "50", "place": "Room 4"})
    session = db.session.scalar(select(GroupSession))
    assert response.status_code == 302 and response.location.endswith(f"/sessions/{session.id}")
    assert as_utc(session.starts_at) == local and session.minutes == 50


def test_a_past_time_is_shown_next_to_its_field(client, login_as, group):
    login_as(group.leader)
    response = client.post(f"/circles/{group.circle.id}/sessions/new", data={
        "plan_id": group.plan.id, "starts_at": "2001-01-01T10:00", "minutes": "45"})
    assert response.status_code == 400 and "Choose a time to come." in page(response)
    assert count(GroupSession) == 0


def test_a_leader_of_another_circle_gets_404(client, login_as, school, users, group):
    other = build_group(school, users["counselor"], name="Friendships circle", plan_title="Friends")
    session = add_session(group)
    login_as(other.leader)
    assert client.get(f"/circles/{group.circle.id}/sessions/new").status_code == 404
    for url in (f"/sessions/{session.id}", f"/sessions/{session.id}/log"):
        assert client.get(url).status_code == 404
    assert client.post(f"/sessions/{session.id}/cancel").status_code == 404
    assert client.post(f"/sessions/{session.id}/log", data=log_form(group)).status_code == 404
    assert session.status == "scheduled"


# --- logging -------------------------------------------------------------------------------------

def test_the_log_form_lists_who_may_take_part_and_works_without_javascript(client, login_as, group):
    session = add_session(group)
    login_as(group.leader)
    form_page = page(client.get(f"/sessions/{session.id}/log"))
    for member in group.members:
        assert f'name="present_{member.id}"' in form_page and f'name="worried_{member.id}"' in form_page
    assert f'name="present_{group.newcomer.id}"' not in form_page and "Noor Haddad" in form_page
    assert form_page.count('type="number"') == 5 and "mood-round.js" in form_page and "<script>" not in form_page
    assert "if you are worried about someone, tick it" in form_page


def test_a_leader_logs_a_session_on_the_page(client, login_as, group):
    session = add_session(group)
    maya, sam, _ = group.members
    login_as(group.leader)
    response = client.post(f"/sessions/{session.id}/log", data=log_form(
        group, present=[maya, sam], worried=[sam], moods={4: 1, 5: 1}, notes="We practised breathing."))
    assert response.status_code == 302 and response.location.endswith(f"/sessions/{session.id}")
    assert session.status == "held" and count(SessionAttendance) == 3 and count(MoodCount) == 2
    (concern,) = db.session.scalars(select(Concern))
    assert (concern.student_id, concern.source) == (sam.id, "circle_worry")
    detail = page(client.get(response.location))
    assert "Session logged" in detail and "Tell your supervising counselor today" not in detail
    assert client.get(f"/sessions/{session.id}/log").status_code == 302  # logged once


def test_after_a_high_concern_the_leader_is_told_to_tell_their_counselor_today(client, login_as, smtp_inbox,
                                                                                group):
    session = add_session(group)
    login_as(group.leader)
    notes = "We met in the music room. Maya said she wants to kill herself."
    response = client.post(f"/sessions/{session.id}/log", data=log_form(group, present=group.members, notes=notes))
    detail = page(client.get(response.location))
    assert "Tell your supervising counselor today" in detail and group.counselor.display_name in detail
    assert smtp_inbox.messages, "counselors are mailed about the high concern"
    assert all(b"music room" not in m.content and b"Maya" not in m.content for m in smtp_inbox.messages)


def test_the_mood_round_refuses_more_taps_than_people_present(client, login_as, group):
    session = add_session(group)
    login_as(group.leader)
    response = client.post(f"/sessions/{session.id}/log", data=log_form(
        group, present=[group.members[0]], moods={2: 1, 3: 1}))
    assert response.status_code == 400 and "2 taps, but 1 person was there" in page(response)
    assert session.status == "scheduled" and count(MoodCount) == count(SessionAttendance) == 0


def test_counselors_read_the_notes_comments_and_concerns_and_the_read_is_audited(client, login_as, users, group):
    session = add_session(group)
    log(group, session, present=group.members, worries={group.member("Ana"): ""}, notes="Good energy.")
    for member, comment in zip(group.members, ("More games", "", "Too short"), strict=True):
        feedback.give_feedback(member, session, "helped", comment, utcnow())
    db.session.commit()
    login_as(users["counselor"])
    detail = page(client.get(f"/sessions/{session.id}"))
    assert "Good energy." in detail and "More games" in detail and "Too short" in detail
    (concern,) = db.session.scalars(select(Concern))
    assert f"/oversight/concerns/{concern.id}" in detail
    assert db.session.scalar(select(AuditEvent.action).where(AuditEvent.record_id == session.id)) == \
        "group_session.read"


def test_nobody_sees_another_members_feedback(client, login_as, users, group):
    session = add_session(group)
    log(group, session, present=group.members)
    maya, sam, ana = group.members
    login_as(maya)
    client.post(f"/my/sessions/{session.id}/feedback", data={"answer": "didnt_help", "comment": "my secret words"})
    # The member's own page thanks her and shows no answer, not even her own.
    thanks = page(client.get(f"/my/sessions/{session.id}/feedback"))
    assert "Thank you" in thanks and "secret words" not in thanks and "It didn't help" not in thanks
    # Another member's page shows nothing of it.
    login_as(sam)
    assert "secret words" not in page(client.get(f"/my/sessions/{session.id}/feedback"))
    # The leader sees no comment, and no count while feedback is open: not even how many answered.
    login_as(group.leader)
    leader_page = page(client.get(f"/sessions/{session.id}"))
    assert "secret words" not in leader_page and "once at least" in leader_page and "answered so far" not in leader_page
    # Counselors read the comment with no name beside it: the feedback part of the page names nobody.
    login_as(users["counselor"])
    counselor_page = page(client.get(f"/sessions/{session.id}"))
    feedback_part = counselor_page.split("Members' feedback")[1].split("Concerns raised")[0]
    assert "secret words" in feedback_part
    assert not any(name in feedback_part for m in group.members for name in (m.given_name, m.family_name))
    assert count(SessionComment) == 1


def test_a_member_gives_one_tap_feedback_on_a_phone(client, login_as, group):
    session = add_session(group)
    log(group, session, present=group.members)
    maya = group.member("Maya")
    login_as(maya)
    form_page = page(client.get(f"/my/sessions/{session.id}/feedback"))
    assert form_page.count('name="answer"') == 3 and "/talk-to-a-counselor" in form_page
    assert "without your name" in form_page
    response = client.post(f"/my/sessions/{session.id}/feedback", data={"answer": "helped"})
    assert response.status_code == 302 and response.location.endswith(f"/my/sessions/{session.id}/feedback")
    again = client.post(f"/my/sessions/{session.id}/feedback", data={"answer": "didnt_help"})
    assert "Thank you" in page(again) and count(FeedbackGiven) == 1


def test_feedback_is_for_members_who_came(client, login_as, group):
    session = add_session(group)
    log(group, session, present=[group.member("Maya")])
    for student in (group.member("Sam"), group.newcomer, group.leader):
        login_as(student)
        assert client.get(f"/my/sessions/{session.id}/feedback").status_code == 404
        assert client.post(f"/my/sessions/{session.id}/feedback", data={"answer": "helped"}).status_code == 404
    assert count(FeedbackGiven) == 0


def test_a_worrying_comment_reaches_counselors_without_a_name(client, login_as, smtp_inbox, group):
    session = add_session(group)
    log(group, session, present=group.members)
    login_as(group.member("Ana"))
    response = client.post(f"/my/sessions/{session.id}/feedback", data={"answer": "didnt_help",
                                                                        "comment": "i want to kill myself"},
                           follow_redirects=True)
    (concern,) = db.session.scalars(select(Concern))
    assert concern.student_id is None and concern.raised_by_id is None
    assert smtp_inbox.messages and all(b"Ana" not in m.content for m in smtp_inbox.messages)
    # The member is told at once where to find help: nobody can come and find an unnamed comment.
    thanks = page(response)
    assert "cannot come and find you" in thanks and "Need someone now?" in thanks


# --- workshops -----------------------------------------------------------------------------------

def test_a_counselor_sets_up_and_lists_workshops(client, login_as, users):
    login_as(users["counselor"])
    assert "No workshop to come" in page(client.get("/workshops"))
    when = (datetime.now(ZoneInfo("UTC")) + timedelta(days=10)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/workshops/new", data={
        "title": "Mental health day", "about": "Looking after yourself.", "starts_at": when, "minutes": "90",
        "place": "Hall", "grade_min": "7", "grade_max": "9", "capacity": "2"})
    assert response.status_code == 302
    listing = page(client.get("/workshops"))
    assert "Mental health day" in listing and "0 of 2" in listing


def test_students_sign_up_and_give_their_place_back(client, login_as, school, users, group):
    workshop = add_workshop(school, users["counselor"], capacity=1)
    first, second = UserFactory(school)("student", grade=8), UserFactory(school)("student", grade=8)
    db.session.commit()
    login_as(first)
    response = client.post(f"/my/workshops/{workshop.id}/sign-up")
    assert response.status_code == 302 and response.location.endswith("/my/circles")
    login_as(second)
    client.post(f"/my/workshops/{workshop.id}/sign-up")
    with client.session_transaction() as session:
        assert ("error", "Sorry, this workshop is full.") in session["_flashes"]
    assert count(SessionAttendance) == 1
    login_as(first)
    client.post(f"/my/workshops/{workshop.id}/cancel")
    assert count(SessionAttendance) == 0


def test_a_circles_session_or_another_schools_workshop_is_not_a_workshop(client, login_as, school, other_school,
                                                                         users, group):
    theirs = add_workshop(other_school, UserFactory(other_school)("counselor"))
    login_as(group.member("Maya"))
    for session_id in (add_session(group).id, theirs.id):
        assert client.post(f"/my/workshops/{session_id}/sign-up").status_code == 404
        assert client.post(f"/my/workshops/{session_id}/cancel").status_code == 404
