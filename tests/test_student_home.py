"""The student's home page asks every part whether it holds anything for them in one statement; what it
then shows is what each part gives when asked on its own."""
from __future__ import annotations

from datetime import timedelta

from schoolpeers.circles.steps import circle_steps
from schoolpeers.extensions import db
from schoolpeers.notifications.meetings import upcoming_for
from schoolpeers.notifications.models import Meeting
from schoolpeers.programme import agreements, closure, outcomes
from schoolpeers.programme.steps import steps_for
from schoolpeers.student_home import student_summary
from schoolpeers.timeutil import today_in, utcnow
from tests.oversight.conftest import mentorship  # noqa: F401  (shared fixture)
from tests.programme.test_agreements import data


def steps_asked_apart(student) -> list[tuple[str, str]]:
    """Each part's steps, every side of it asked whatever the conditions say."""
    today = today_in(student.school.timezone)
    steps = [*agreements.prompts_for(student, today), *closure.closing_prompts(student, today),
             *outcomes.questionnaire_prompts(student, today), *circle_steps(student, utcnow())]
    return [(step.text, step.endpoint) for step in steps]


def shown_steps(student) -> list[tuple[str, str]]:
    return [(step.text, step.endpoint) for step in student_summary(student)["programme_steps"]]


def test_each_step_the_parts_give_is_shown_as_it_comes(mentorship, users):  # noqa: F811
    mentee, mentor = mentorship.mentee, mentorship.mentor
    for student in (mentee, mentor):
        assert shown_steps(student) == steps_asked_apart(student)
    agreements.save_agreement(mentorship, mentor, data(), utcnow(), today_in(mentee.school.timezone))
    db.session.commit()
    assert ("Read your mentoring agreement and agree to it", "goals.mentee_agreement") in shown_steps(mentee)
    closure.begin_closure(mentorship, users["counselor"], utcnow())
    db.session.commit()
    for student in (mentee, mentor):
        assert shown_steps(student) == steps_asked_apart(student)
        assert [(s.text, s.endpoint) for s in steps_for(student, today_in(student.school.timezone))] == \
            shown_steps(student)
    assert "closure.mentor_closing" in {endpoint for _, endpoint in shown_steps(mentor)}
    assert "closure.mentee_ending" in {endpoint for _, endpoint in shown_steps(mentee)}


def test_a_mentee_sees_their_mentor_their_check_in_and_their_next_meeting(mentorship):  # noqa: F811
    mentee = mentorship.mentee
    summary = student_summary(mentee)
    assert summary["has_mentor"] and summary["self_checkin_due"] and summary["meetings"] == []
    now = utcnow()
    meeting = Meeting(school_id=mentee.school_id, mentorship_id=mentorship.id, mentor_id=mentorship.mentor_id,
                      mentee_id=mentee.id, starts_at=now + timedelta(days=2), minutes=30, place="Library",
                      sequence=0, created_at=now)
    db.session.add(meeting)
    db.session.commit()
    assert student_summary(mentee)["meetings"] == upcoming_for(mentee, now) == [meeting]
    meeting.cancelled_at = now
    db.session.commit()
    assert student_summary(mentee)["meetings"] == []
