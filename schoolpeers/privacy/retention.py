"""Retention: free text is removed once the school's retention period has passed.

What goes: check-in notes and worry reasons (and the same in correction history), mentees'
feedback comments, mentorship history notes and request notes, and the programme's words (the
agreement's place and ground rules, goal wordings, the goodbye message, exit-survey comments), once
the mentorship (or the request) closed more than `School.retention_days` ago (in an archived school,
what was still open closed on the archive day); a mentor's notes on how
they felt that long ago, unless one still waits for a counselor; circles' session notes and members'
anonymous comments on the same schedule (`schoolpeers.circles.personal_data` says when a circle has
ended); the summary and notes of concerns resolved that long ago. What stays is what reports and
safeguarding need: the rows themselves, numbers, dates, grades, topics, goal areas, severities,
outcomes, attendance and mood rounds. Families' records (answers, requests, links to
contacts, contacts staff typed) of students who left that long ago go,
and so does mail written that long ago (it names people).

Idempotent: a second run finds nothing left to remove. A dry run counts exactly what a real run
would change.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update

from schoolpeers.accounts.models import GuardianStudent, School, User
from schoolpeers.circles import personal_data as circles_data
from schoolpeers.extensions import db
from schoolpeers.families.models import ConsentEvent, ConsentRequest
from schoolpeers.families.services import forget_family, last_family_record
from schoolpeers.matching.models import MentorRequest
from schoolpeers.matching.statuses import FINISHED
from schoolpeers.mentors.models import (
    CheckIn,
    CheckInRevision,
    MenteeFeedback,
    Mentorship,
    MentorshipEvent,
    SelfCheckIn,
)
from schoolpeers.outbox import MailStatus, OutboxMail
from schoolpeers.oversight.append_only import REDACTED_AFTER_RETENTION, REDACTION_PLACEHOLDERS
from schoolpeers.oversight.models import Concern, ConcernEvent
from schoolpeers.oversight.statuses import ConcernStatus
from schoolpeers.privacy.redact import (
    CHECKIN_TEXT_FIELDS,
    redact_concern,
    redact_concern_event,
    revision_has_text,
    strip_revision,
)
from schoolpeers.programme.personal_data import RETENTION_KINDS, texts_past_retention

KINDS = ("check-in notes", "check-in corrections", "feedback comments", "mentorship notes", "request notes",
         *RETENTION_KINDS, *circles_data.RETENTION_KINDS, "concerns", "concern notes",
         "families of students who left", "mails")


@dataclass(frozen=True)
class RetentionResult:
    school: School
    cutoff: datetime
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def describe(self) -> str:
        return ", ".join(f"{n} {kind}" for kind, n in self.counts.items())


def cutoff_for(school: School, now: datetime) -> datetime:
    return now - timedelta(days=school.retention_days)


def _archived_before(school_id: int, cutoff: datetime):
    """The school was archived before the cutoff: whatever was still open ended on the archive day."""
    return select(School.id).where(School.id == school_id, School.archived_at < cutoff).exists()


def _ended_mentorship_ids(school_id: int, cutoff: datetime):
    """Mentorships closed (or proposals rejected) before the cutoff, or all of a school archived before it."""
    return select(Mentorship.id).where(Mentorship.school_id == school_id, or_(
        _archived_before(school_id, cutoff),
        and_(Mentorship.status == "closed", Mentorship.ended_at < cutoff),
        and_(Mentorship.status == "rejected", Mentorship.decided_at < cutoff),
    ))


def _plain_targets(school_id: int, cutoff: datetime) -> dict[str, tuple[type, object, dict]]:
    """Kind -> (model, which rows still hold text, the values that remove it): bulk updates."""
    ended = _ended_mentorship_ids(school_id, cutoff)
    return {
        "check-in notes": (CheckIn, and_(
            CheckIn.school_id == school_id, CheckIn.mentorship_id.in_(ended),
            or_(*(getattr(CheckIn, name).is_not(None) for name in CHECKIN_TEXT_FIELDS))),
            dict.fromkeys(CHECKIN_TEXT_FIELDS)),
        "feedback comments": (MenteeFeedback, and_(
            MenteeFeedback.school_id == school_id, MenteeFeedback.mentorship_id.in_(ended),
            MenteeFeedback.comment != ""), {"comment": ""}),
        "students' own notes": (SelfCheckIn, and_(
            SelfCheckIn.school_id == school_id, SelfCheckIn.mentorship_id.in_(ended),
            SelfCheckIn.note.is_not(None)), {"note": None}),
        "mentorship notes": (MentorshipEvent, and_(
            MentorshipEvent.school_id == school_id, MentorshipEvent.mentorship_id.in_(ended),
            MentorshipEvent.note != ""), {"note": ""}),
        "request notes": (MentorRequest, and_(
            MentorRequest.school_id == school_id, MentorRequest.note != "", or_(
                _archived_before(school_id, cutoff),
                and_(MentorRequest.status.in_(FINISHED), MentorRequest.closed_at < cutoff))), {"note": ""}),
        **texts_past_retention(school_id, ended, cutoff),
        **circles_data.texts_past_retention(school_id, cutoff),
    }


def _revisions_with_text(school_id: int, cutoff: datetime) -> list[CheckInRevision]:
    expired_checkins = select(CheckIn.id).where(
        CheckIn.school_id == school_id, CheckIn.mentorship_id.in_(_ended_mentorship_ids(school_id, cutoff)))
    revisions = db.session.scalars(select(CheckInRevision).where(
        CheckInRevision.school_id == school_id, CheckInRevision.checkin_id.in_(expired_checkins)))
    return [r for r in revisions if revision_has_text(r.previous)]


def _resolved_before(school_id: int, cutoff: datetime):
    return and_(Concern.school_id == school_id, Concern.status == ConcernStatus.RESOLVED, Concern.resolved_at < cutoff)


def _concerns_to_redact(school_id: int, cutoff: datetime) -> list[Concern]:
    return list(db.session.scalars(select(Concern).where(
        _resolved_before(school_id, cutoff), Concern.redacted_at.is_(None)).order_by(Concern.id)))


def _concern_events_with_text(school_id: int, cutoff: datetime) -> list[ConcernEvent]:
    """Every note of such a concern, also one added after an earlier run redacted the concern."""
    return list(db.session.scalars(
        select(ConcernEvent).join(Concern, and_(Concern.id == ConcernEvent.concern_id,
                                                Concern.school_id == ConcernEvent.school_id))
        .where(ConcernEvent.school_id == school_id, _resolved_before(school_id, cutoff),
               ConcernEvent.note != "", ConcernEvent.note.not_in(sorted(REDACTION_PLACEHOLDERS)))
        .order_by(ConcernEvent.id)))


def purge_school(school: School, now: datetime, *, dry_run: bool = False) -> RetentionResult:
    """Remove (or with dry_run, only count) the free text past the school's retention period.
    Flushes; the caller commits."""
    cutoff = cutoff_for(school, now)
    counts = dict.fromkeys(KINDS, 0)
    for kind, (model, still_has_text, values) in _plain_targets(school.id, cutoff).items():
        if dry_run:
            counts[kind] = db.session.scalar(select(func.count()).select_from(model).where(still_has_text)) or 0
        else:
            result = db.session.execute(update(model).where(still_has_text).values(**values)
                                        .execution_options(synchronize_session="fetch"))
            counts[kind] = result.rowcount
    revisions = _revisions_with_text(school.id, cutoff)
    concerns = _concerns_to_redact(school.id, cutoff)
    events = _concern_events_with_text(school.id, cutoff)
    counts["check-in corrections"], counts["concerns"], counts["concern notes"] = (
        len(revisions), len(concerns), len(events))
    if not dry_run:
        for revision in revisions:
            strip_revision(revision)
        for concern in concerns:
            redact_concern(concern, REDACTED_AFTER_RETENTION, now)
        for event in events:
            redact_concern_event(event, REDACTED_AFTER_RETENTION)
        db.session.flush()
    left = _families_of_leavers(school.id, cutoff)
    mails = list(db.session.scalars(select(OutboxMail).where(
        OutboxMail.school_id == school.id, OutboxMail.created_at < cutoff,
        OutboxMail.status != MailStatus.SENDING)))
    counts["families of students who left"], counts["mails"] = len(left), len(mails)
    if not dry_run:
        for student in left:
            forget_family(student)
        for mail in mails:
            db.session.delete(mail)
        db.session.flush()
    return RetentionResult(school, cutoff, counts)


def _families_of_leavers(school_id: int, cutoff: datetime) -> list[User]:
    """Students who left longer ago than the cutoff, with family records (for accounts deactivated
    before the leaving date was kept: when the last answer or request is that old)."""
    with_records = (select(ConsentEvent.student_id).where(ConsentEvent.school_id == school_id)
                    .union(select(ConsentRequest.student_id).where(ConsentRequest.school_id == school_id),
                           select(GuardianStudent.student_id).where(GuardianStudent.school_id == school_id)))
    leavers = db.session.scalars(select(User).where(
        User.school_id == school_id, User.active.is_(False), User.id.in_(with_records),
        or_(User.deactivated_at <= cutoff, User.deactivated_at.is_(None))))
    return [s for s in leavers if s.deactivated_at is not None or (last_family_record(s) or cutoff) < cutoff]
