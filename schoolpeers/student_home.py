"""A student's home page: what they can do here, and what waits for them.

Most of a school opens this page, and most students have nothing waiting. So one statement asks each
part whether it holds anything for them (their mentor profile, their mentor, their request, their last
self check-in, meetings, the programme's steps, circles), and a part is asked for its details only
when it does. Like the home page, it sits above the features.
"""
from __future__ import annotations

from sqlalchemy import bindparam, select

from schoolpeers.accounts.models import User
from schoolpeers.circles import steps as circle_steps
from schoolpeers.extensions import db
from schoolpeers.matching.models import MentorRequest
from schoolpeers.matching.services import current_request_query
from schoolpeers.mentors import self_checkins
from schoolpeers.mentors.checkins import active_mentorship_of_mentee_query, mentees_overview
from schoolpeers.mentors.models import SelfCheckIn
from schoolpeers.mentors.services import is_mentor_status, profile_status_query
from schoolpeers.notifications.meetings import any_upcoming, upcoming_for
from schoolpeers.programme import steps as programme_steps
from schoolpeers.timeutil import today_in, utcnow

_SCHOOL, _STUDENT = bindparam("school_id"), bindparam("student_id")
# Built once, like the parts' own conditions: every visit asks it, and building it cost more than running it.
_FACTS = select(
    profile_status_query(_SCHOOL, _STUDENT).scalar_subquery(),
    active_mentorship_of_mentee_query(_SCHOOL, _STUDENT).exists(),
    self_checkins.last_self_checkin_query(select(SelfCheckIn.occurred_on), _SCHOOL, _STUDENT).scalar_subquery(),
    current_request_query(select(MentorRequest.created_at), _SCHOOL, _STUDENT).scalar_subquery(),
    any_upcoming(_SCHOOL, _STUDENT, bindparam("now")),
    *programme_steps.WHAT_MAY_WAIT,
    *circle_steps.WHAT_MAY_WAIT)
_PROGRAMME = slice(5, 5 + len(programme_steps.WHAT_MAY_WAIT))
_CIRCLES = slice(_PROGRAMME.stop, None)


def student_summary(student: User) -> dict:
    school, now = student.school, utcnow()
    today = today_in(school.timezone)
    facts = db.session.execute(_FACTS, {"now": now, **programme_steps.may_wait_values(student, today),
                                        **circle_steps.may_wait_values(student, now)}).one()
    mentor_status, has_mentor, last_self_checkin_on, request_made_at, meeting_ahead = facts[:5]
    mentoring = is_mentor_status(mentor_status)
    return {
        "mentor_status": mentor_status, "is_mentor": mentoring, "request_made_at": request_made_at,
        "has_mentor": bool(has_mentor),
        "self_checkin_due": bool(has_mentor) and self_checkins.is_due_after(
            last_self_checkin_on, today, school.checkin_cadence_days),
        "meetings": upcoming_for(student, now) if meeting_ahead else [],
        "checkins_due": ([line for line in mentees_overview(student, today, school.checkin_cadence_days) if line.due]
                         if mentoring else []),
        "programme_steps": [
            *programme_steps.steps_for(student, today, tuple(map(bool, facts[_PROGRAMME]))),
            *circle_steps.circle_steps(student, now, tuple(map(bool, facts[_CIRCLES])))]}
