"""What a student receives when they ask for their data ("Download my data").

Included: everything the student told us or that describes them: the profile, interests and
languages, their requests, their mentorships with the mentor's first name (what the app shows
them), the check-ins about them as numbers, dates and topics, the feedback they gave, their mentor
profile and training if they are a mentor, and the times they asked to talk to a counselor.

Not included, and why (the school answers these parts of an access request case by case, through
its safeguarding lead):
- mentors' private notes, worry flags and reasons: another student's confidential observations;
- concerns raised by others and all concern notes: safeguarding records, which a school may
  withhold where disclosure could put a child at risk;
- the audit log and match scores: the school's internal records about its staff and processes.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.matching.models import MentorRequest
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.models import DOMAINS, CheckIn, MenteeFeedback, Mentorship, SelfCheckIn
from schoolpeers.mentors.statuses import BEGUN
from schoolpeers.oversight.models import Concern
from schoolpeers.timeutil import as_utc

NOT_INCLUDED = (
    "Your mentor's private notes and whether your mentor was worried: they are your mentor's "
    "confidential notes for the counselors.",
    "Concerns raised by mentors or counselors, and counselors' notes: these safeguarding records are "
    "shared by the school's safeguarding lead, when it is safe to, if you ask them.",
    "The school's audit log and how matches were scored.",
)


def _when(value: datetime | date | None) -> str | None:
    if value is None:
        return None
    return as_utc(value).isoformat() if isinstance(value, datetime) else value.isoformat()


def _names(items) -> list[str]:
    return [item.name for item in items]


def profile_of(student: User) -> dict:
    return {
        "given_name": student.given_name, "family_name": student.family_name, "username": student.username,
        "email": student.email, "school_roster_id": student.roster_id, "grade": student.grade,
        "birth_date": student.birth_date.isoformat() if student.birth_date else None,
        "gender": student.gender, "languages": list(student.languages or []), "interests": _names(student.interests),
        "account_created": _when(student.created_at), "last_sign_in": _when(student.last_login_at),
        "two_factor_sign_in": student.totp_enabled_at is not None,
    }


def requests_of(student: User) -> list[dict]:
    requests = db.session.scalars(select(MentorRequest).options(
        selectinload(MentorRequest.topics), selectinload(MentorRequest.interests)).where(
        MentorRequest.school_id == student.school_id, MentorRequest.student_id == student.id)
        .order_by(MentorRequest.created_at, MentorRequest.id))
    return [{
        "asked_on": _when(r.created_at), "status": r.status, "closed_on": _when(r.closed_at),
        "support_with": _names(r.topics), "interests": _names(r.interests), "language": r.language,
        "same_gender_mentor": r.same_gender, "availability": list(r.availability or []), "note": r.note,
    } for r in requests]


def checkin_numbers(checkin: CheckIn) -> dict:
    """As numbers and dates: the mentor's notes and worries are not the student's to read."""
    return {
        "date": _when(checkin.occurred_on), "minutes": checkin.duration_minutes, "mode": checkin.mode,
        "wellbeing": checkin.wellbeing, **{name: getattr(checkin, name) for name in DOMAINS},
        "topics": _names(checkin.topics),
    }


def mentorships_of(student: User) -> list[dict]:
    mentorships = db.session.scalars(select(Mentorship).options(joinedload(Mentorship.mentor)).where(
        Mentorship.school_id == student.school_id, Mentorship.mentee_id == student.id,
        Mentorship.status.in_(BEGUN)).order_by(Mentorship.id))
    result = []
    for m in mentorships:
        checkins = db.session.scalars(select(CheckIn).options(selectinload(CheckIn.topics)).where(
            CheckIn.school_id == m.school_id, CheckIn.mentorship_id == m.id, CheckIn.mentee_id == student.id)
            .order_by(CheckIn.occurred_on, CheckIn.id))
        feedback = db.session.scalars(select(MenteeFeedback).where(
            MenteeFeedback.school_id == m.school_id, MenteeFeedback.mentorship_id == m.id,
            MenteeFeedback.mentee_id == student.id).order_by(MenteeFeedback.id))
        result.append({
            "mentor": m.mentor.given_name, "status": m.status, "began_on": _when(m.began_on),
            "ended_on": _when(m.ended_at), "end_reason": m.end_reason,
            "checkins": [checkin_numbers(c) for c in checkins],
            "feedback_you_gave": [{"date": _when(f.created_at), "rating": f.rating, "comment": f.comment}
                                  for f in feedback],
        })
    return result


def own_checkins_of(student: User) -> list[dict]:
    """The student's own check-ins, their words included: they are the student's."""
    entries = db.session.scalars(select(SelfCheckIn).where(
        SelfCheckIn.school_id == student.school_id, SelfCheckIn.mentee_id == student.id)
        .order_by(SelfCheckIn.created_at, SelfCheckIn.id))
    return [{"date": _when(e.occurred_on), "wellbeing": e.wellbeing, **{name: getattr(e, name) for name in DOMAINS},
             "note": e.note, "asked_to_talk_to_a_counselor": e.wants_counselor} for e in entries]


def mentor_profile_of(student: User) -> dict | None:
    profile = mentors.profile_for(student)
    if profile is None:
        return None
    mentored = db.session.scalars(select(Mentorship).where(
        Mentorship.school_id == student.school_id, Mentorship.mentor_id == student.id,
        Mentorship.status.in_(BEGUN)).order_by(Mentorship.id))
    modules = {m.id: m.name for m in mentors.training_modules(student.school_id)}
    return {
        "status": profile.status, "bio": profile.bio, "motivation": profile.motivation,
        "capacity": profile.capacity, "availability": list(profile.availability or []),
        "topics": _names(profile.topics), "applied_on": _when(profile.created_at),
        "certified_until": _when(profile.certified_until),
        "training": [{"module": modules.get(c.module_id), "completed_on": _when(c.completed_on)}
                     for c in profile.completions],
        # The mentees are other students: only that a mentorship happened, and when.
        "mentorships": [{"status": m.status, "began_on": _when(m.began_on), "ended_on": _when(m.ended_at)}
                        for m in mentored],
    }


def counselor_requests_of(student: User) -> list[dict]:
    """The student's own "I want to talk to a counselor" requests: when, and whether it was picked up."""
    concerns = db.session.scalars(select(Concern).where(
        Concern.school_id == student.school_id, Concern.student_id == student.id,
        Concern.source == "mentee_request", Concern.raised_by_id == student.id).order_by(Concern.id))
    return [{"asked_on": _when(c.created_at), "status": c.status} for c in concerns]


def data_of(student: User, now: datetime) -> dict:
    return {
        "about": f"The data {student.school.name} holds about you in its peer-mentoring programme.",
        "prepared_on": _when(now),
        "school": student.school.name,
        "profile": profile_of(student),
        "mentor_requests": requests_of(student),
        "mentorships": mentorships_of(student),
        "your_own_checkins": own_checkins_of(student),
        "mentor_profile": mentor_profile_of(student),
        "asked_to_talk_to_a_counselor": counselor_requests_of(student),
        "not_included": list(NOT_INCLUDED),
    }
