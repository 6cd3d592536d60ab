"""A student who leaves: open work ends in the same transaction, history stays.

Their open requests are withdrawn; as a mentee, an active mentorship ends ("mentee left") and a
proposal is withdrawn; as a mentor, active mentorships end ("mentor left", the mentees back in the
queue with their requests open again, and the counselor dashboard lists them) and proposals are
rejected; a mentor profile is paused.
Reactivating the account restores none of it: a counselor decides again.

A family's consent that stops (declined or withdrawn) ends the student's open work in that role the
same way, with the reason "consent withdrawn": as a mentee, an active mentorship ends and its
request closes (a proposal is withdrawn); as a mentor, their mentees go back to the queue. Mentors
are never told why.
"""
from __future__ import annotations

from collections import Counter

from flask import current_app
from sqlalchemy import select

from schoolpeers import outbox
from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.matching import services as matching
from schoolpeers.matching.models import MentorRequest
from schoolpeers.matching.statuses import RequestStatus
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.models import Mentorship
from schoolpeers.mentors.statuses import OPEN, MentorshipStatus, ProfileStatus


def end_open_work(student: User, actor: User | None) -> Counter:
    """End everything open of a leaving student; what was done, counted."""
    done: Counter = Counter()
    for request in db.session.scalars(select(MentorRequest).where(
            MentorRequest.school_id == student.school_id, MentorRequest.student_id == student.id,
            MentorRequest.status == RequestStatus.OPEN)):
        matching.withdraw_request(request, actor)
        done["requests withdrawn"] += 1
    for column, reason in ((Mentorship.mentee_id, "mentee_left"), (Mentorship.mentor_id, "mentor_left")):
        for m in _open(student, column):
            if m.status == MentorshipStatus.ACTIVE:
                matching.end_mentorship(m, reason, "", actor)
                done["mentorships ended"] += 1
            else:  # the pair may be proposed again if they return
                matching.reject(m, actor, "", block=False)
                done["proposals withdrawn"] += 1
    profile = mentors.profile_for(student)
    if profile is not None and profile.status == ProfileStatus.ACTIVE:
        profile.status = ProfileStatus.PAUSED
        done["mentor profile paused"] += 1
    db.session.flush()
    return done


def on_user_deactivated(user: User, actor: User | None = None) -> Counter:
    """The receiver of `accounts.signals.user_deactivated`: students leave; adults have no open work."""
    if user.role != "student":
        return Counter()
    return end_open_work(user, actor)


def _open(student: User, column) -> list[Mentorship]:
    return list(db.session.scalars(select(Mentorship).where(
        Mentorship.school_id == student.school_id, column == student.id,
        Mentorship.status.in_(OPEN)).order_by(Mentorship.id)))


def on_consent_stopped(student: User, actor: User | None = None, roles: tuple[str, ...] = ()) -> Counter:
    """The receiver of `families.signals.consent_stopped`: the student's open work in each role ends."""
    done: Counter = Counter()
    for role in roles:
        column = Mentorship.mentee_id if role == "mentee" else Mentorship.mentor_id
        for m in _open(student, column):
            if m.status == MentorshipStatus.ACTIVE:
                matching.end_mentorship(m, "consent_withdrawn", "", actor, reopen=role == "mentor")
                _tell_mentor_and_counselors(m)
                done["mentorships ended"] += 1
            else:
                matching.reject(m, actor, "", block=False)
                done["proposals withdrawn"] += 1
    db.session.flush()
    return done


def _tell_mentor_and_counselors(mentorship: Mentorship) -> None:
    """The mentor learns the mentoring ended, never why; counselors get a link to look (no name)."""
    school_id = mentorship.school_id
    if mentorship.mentor.email:
        outbox.queue(school_id, "mentorship_ended", mentorship.mentor.email, "Your peer mentoring has ended",
                     f"Hello {mentorship.mentor.given_name},\n\nYour mentoring with {mentorship.mentee.given_name} "
                     "has ended today. Thank you for your support. A counselor will talk with you about it; "
                     "please do not log further check-ins for this mentee.\n", about=mentorship.mentee_id)
    link = current_app.config["BASE_URL"].rstrip("/") + f"/oversight/students/{mentorship.mentee_id}"
    for email in db.session.scalars(select(User.email).where(
            User.school_id == school_id, User.role == "counselor", User.active.is_(True), User.email.is_not(None))):
        outbox.queue(school_id, "mentorship_ended", email, "A mentorship ended after a family's answer",
                     f"A family's answer about consent ended a mentorship today.\n\nPlease sign in:\n{link}\n",
                     about=mentorship.mentee_id)
