"""Erasing one student's personal data on request, in one transaction.

The account row stays as an anonymous record ("Erased student", grade only, deactivated,
`erased_at` set) so that everything that points to it keeps working and reports still count the
grade. What is removed: the profile (names, username, email, roster id, password, setup link,
gender, languages, interests, two-factor secret and recovery codes), the free text about the
student (check-in notes and worry reasons, correction history, their feedback comments, the
history notes and match explanations of their mentorships, their requests' note and preferences,
a mentor profile's bio and motivation, and their words in the programme's records) and, when the
school chose "delete", the check-ins about them and their programme records
(`schoolpeers.programme.personal_data` says which, table by table). In both modes their places in
circles, their links as a circle's leader, their attendance at group sessions and the marks that
they gave feedback are deleted, once they have left the circles as any leaver does, so that waiting
lists move up (`schoolpeers.circles.personal_data`); a leader's session notes that
mention them stay, the leader's record. Concerns are safeguarding records: never deleted, their free
text is redacted.

Check-ins the student logged as a mentor are about another student and stay that student's record;
they now show "Erased student" as their author.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from schoolpeers.accounts import sso, two_factor
from schoolpeers.accounts.models import Guardian, User
from schoolpeers.accounts.roster import tombstone
from schoolpeers.circles import personal_data as circles_data
from schoolpeers.extensions import db
from schoolpeers.families.services import forget_family
from schoolpeers.matching import leavers
from schoolpeers.matching.models import MentorRequest
from schoolpeers.mentors import services as mentors
from schoolpeers.mentors.models import (
    CheckIn,
    CheckInRevision,
    CheckInTopic,
    MenteeFeedback,
    MentorProfile,
    Mentorship,
    MentorshipEvent,
    SelfCheckIn,
)
from schoolpeers.mentors.statuses import ACCEPTED, ProfileStatus
from schoolpeers.notifications.models import Meeting, ReminderSent
from schoolpeers.outbox import OutboxMail
from schoolpeers.oversight.append_only import REDACTED_ON_ERASURE
from schoolpeers.oversight.models import Concern, ConcernEvent
from schoolpeers.privacy.redact import (
    CHECKIN_TEXT_FIELDS,
    redact_concern,
    redact_concern_event,
    revision_has_text,
    strip_revision,
)
from schoolpeers.programme import personal_data

ERASED_GIVEN_NAME, ERASED_FAMILY_NAME = "Erased", "student"
ERASURE_MODES = {
    "unlink": "Keep the numbers: check-ins and programme records stay, without any text, under the anonymous record",
    "delete": "Delete the check-ins and programme records about the student as well",
}
MAX_REASON = 500


class ErasureError(ValueError):
    """The erasure cannot be done; the message says why, for the admin."""


@dataclass
class ErasureResult:
    mode: str
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n


def erase_student(student: User, *, reason: str, actor: User, now: datetime) -> ErasureResult:
    """Erase, or raise ErasureError and change nothing. Flushes; the caller audits and commits."""
    reason = (reason or "").strip()
    if student.role != "student":
        raise ErasureError("Only students' accounts can be erased here.")
    if student.erased_at is not None:
        raise ErasureError("This student's data has already been erased.")
    if actor.school_id != student.school_id or actor.id == student.id:
        raise ErasureError("An admin of the student's own school erases their data.")
    if not reason:
        raise ErasureError("Give the reason for the erasure.")
    if len(reason) > MAX_REASON:
        raise ErasureError(f"The reason can be at most {MAX_REASON} characters.")
    result = ErasureResult(mode=student.school.erasure_mode)
    as_mentee = _mentorships(student, Mentorship.mentee_id)
    _end_open_work(student, actor, result)
    _forget_programme(student, result)
    _forget_circles(student, actor, now, result)
    _remove_checkin_text(student, result)
    _remove_other_text(student, as_mentee, result)
    _redact_concerns(student, now, result)
    _forget_family(student, result)
    _forget_meetings(student, result)
    _anonymise_account(student, now)
    db.session.flush()
    return result


def _mentorships(student: User, column) -> list[Mentorship]:
    return list(db.session.scalars(select(Mentorship).where(
        Mentorship.school_id == student.school_id, column == student.id).order_by(Mentorship.id)))


def _end_open_work(student: User, actor: User, result: ErasureResult) -> None:
    """What any leaver's open work gets (see matching.leavers), then the profile cleared for good."""
    for what, count in leavers.end_open_work(student, actor).items():
        if what in ("requests withdrawn", "mentorships ended"):
            result.add(what, count)
    profile = mentors.profile_for(student)
    if profile is not None:
        _clear_profile(profile)


def _clear_profile(profile: MentorProfile) -> None:
    """Out of matching for good; the training record (dates, modules) stays with the anonymous record."""
    profile.status = ProfileStatus.PAUSED if profile.status in ACCEPTED else ProfileStatus.DECLINED
    profile.bio, profile.motivation, profile.availability = "", "", []
    profile.topic_links = []


def _forget_programme(student: User, result: ErasureResult) -> None:
    """Before the check-ins go: a mentor's note on how a check-in with the student felt is found
    through the check-in."""
    for kind, n in personal_data.forget_student(student, delete_rows=student.school.erasure_mode == "delete").items():
        result.add(kind, n)


def _forget_circles(student: User, actor: User, now: datetime, result: ErasureResult) -> None:
    for kind, n in circles_data.forget_student(student, actor, now).items():
        result.add(kind, n)


def _remove_checkin_text(student: User, result: ErasureResult) -> None:
    about = select(CheckIn.id).where(CheckIn.school_id == student.school_id, CheckIn.mentee_id == student.id)
    if student.school.erasure_mode == "delete":
        # A concern points to its check-in and concerns never change: such check-ins stay, without text.
        kept = select(Concern.checkin_id).where(Concern.school_id == student.school_id,
                                                Concern.checkin_id.is_not(None))
        doomed = list(db.session.scalars(about.where(CheckIn.id.not_in(kept))))
        if doomed:
            for model, column in ((CheckInRevision, CheckInRevision.checkin_id),
                                  (CheckInTopic, CheckInTopic.checkin_id), (CheckIn, CheckIn.id)):
                db.session.execute(delete(model).where(model.school_id == student.school_id, column.in_(doomed))
                                   .execution_options(synchronize_session="fetch"))
        result.add("check-ins deleted", len(doomed))
    remaining = list(db.session.scalars(
        select(CheckIn).options(selectinload(CheckIn.revisions.and_(CheckInRevision.school_id == student.school_id)))
        .where(CheckIn.school_id == student.school_id, CheckIn.id.in_(about))))
    for checkin in remaining:
        for name in CHECKIN_TEXT_FIELDS:
            setattr(checkin, name, None)
        for revision in checkin.revisions:
            if revision_has_text(revision.previous):
                strip_revision(revision)
    result.add("check-ins kept without text", len(remaining))


def _remove_other_text(student: User, as_mentee: list[Mentorship], result: ErasureResult) -> None:
    school_id = student.school_id
    for feedback in db.session.scalars(select(MenteeFeedback).where(
            MenteeFeedback.school_id == school_id, MenteeFeedback.mentee_id == student.id)):
        feedback.comment = ""
    own = select(SelfCheckIn.id).where(SelfCheckIn.school_id == school_id, SelfCheckIn.mentee_id == student.id)
    if student.school.erasure_mode == "delete":  # as check-ins: those a concern points to stay, without text
        kept = select(Concern.self_checkin_id).where(Concern.school_id == school_id,
                                                     Concern.self_checkin_id.is_not(None))
        gone = db.session.execute(delete(SelfCheckIn).where(SelfCheckIn.school_id == school_id, SelfCheckIn.id.in_(own),
                                                            SelfCheckIn.id.not_in(kept))
                                  .execution_options(synchronize_session="fetch")).rowcount
        result.add("own check-ins deleted", gone)
    for entry in db.session.scalars(select(SelfCheckIn).where(SelfCheckIn.id.in_(own), SelfCheckIn.note.is_not(None))):
        entry.note = None
    for m in as_mentee:
        m.explanation, m.score_parts = "", []  # the explanation names the student's interests and language
    ids = [m.id for m in as_mentee]
    if ids:
        for event in db.session.scalars(select(MentorshipEvent).where(
                MentorshipEvent.school_id == school_id, MentorshipEvent.mentorship_id.in_(ids))):
            event.note = ""
    for request in db.session.scalars(select(MentorRequest).where(
            MentorRequest.school_id == school_id, MentorRequest.student_id == student.id)):
        request.note, request.language, request.same_gender, request.availability = "", None, False, []
        request.interest_links, request.topic_links = [], []
        result.add("requests cleared", 1)


def _forget_meetings(student: User, result: ErasureResult) -> None:
    """Meetings and reminders carry no text about the student, but they say who met whom and when."""
    school_id = student.school_id
    gone = db.session.execute(delete(Meeting).where(
        Meeting.school_id == school_id, (Meeting.mentee_id == student.id) | (Meeting.mentor_id == student.id))
        .execution_options(synchronize_session="fetch")).rowcount
    db.session.execute(delete(ReminderSent).where(ReminderSent.school_id == school_id,
                                                  ReminderSent.user_id == student.id)
                       .execution_options(synchronize_session="fetch"))
    result.add("meetings deleted", gone)


def _redact_concerns(student: User, now: datetime, result: ErasureResult) -> None:
    about = select(Concern.id).where(Concern.school_id == student.school_id, Concern.student_id == student.id)
    concerns = list(db.session.scalars(select(Concern).where(Concern.id.in_(about), Concern.redacted_at.is_(None))))
    for concern in concerns:
        redact_concern(concern, REDACTED_ON_ERASURE, now)
    for event in db.session.scalars(select(ConcernEvent).where(
            ConcernEvent.school_id == student.school_id, ConcernEvent.concern_id.in_(about))):
        redact_concern_event(event, REDACTED_ON_ERASURE)
    result.add("concerns redacted", len(concerns))


def _forget_family(student: User, result: ErasureResult) -> None:
    """The family's answers, requests and links go, and mail about the student; the school
    information system's record of the student among a guardian's children too (a guardian of
    nobody else here is removed)."""
    for kind, n in forget_family(student).items():
        result.add(kind, n)
    mails = list(db.session.scalars(select(OutboxMail).where(
        OutboxMail.school_id == student.school_id, OutboxMail.student_id == student.id)))
    for mail in mails:  # they name the student; a link in one already sent stops with its request
        db.session.delete(mail)
    result.add("mails removed", len(mails))
    if not student.roster_id:
        return
    for guardian in db.session.scalars(select(Guardian).where(Guardian.school_id == student.school_id)):
        if student.roster_id in guardian.student_roster_ids:
            guardian.student_roster_ids = [sid for sid in guardian.student_roster_ids if sid != student.roster_id]
            if not guardian.student_roster_ids and not guardian.links:
                db.session.delete(guardian)


def _anonymise_account(student: User, now: datetime) -> None:
    student.given_name, student.family_name = ERASED_GIVEN_NAME, ERASED_FAMILY_NAME
    student.username = f"erased-{secrets.token_hex(16)}"  # unique, and nobody can sign in with it
    # The roster id becomes a tombstone, so that no import creates the student again.
    student.roster_id = tombstone(student.school, student.roster_id) if student.roster_id else None
    student.email = student.password_hash = student.setup_nonce = None
    student.setup_code_hash = student.setup_code_expires_at = None
    student.gender, student.languages, student.birth_date = None, [], None
    student.interest_links = []
    two_factor.turn_off(student)  # secret and recovery codes gone; every session of the account ends at once
    sso.unlink_school_accounts(student)  # the provider's identifier of the person goes too
    student.last_login_at = None
    student.active = False
    student.erased_at = now

