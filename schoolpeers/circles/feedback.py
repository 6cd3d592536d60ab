"""Members' one-tap feedback after a session, and an optional comment for the counselor, both
anonymous.

The answers are counts (`FeedbackCount`, one row per answer, counted in place); a comment is a row
with no student, no time and a random key (`SessionComment`); `FeedbackGiven` keeps only that the
student answered, so nobody answers twice. Nothing else is written while a member answers (no audit
event, no concern naming them), so no page, export or file says who answered what. A worrying comment
raises a concern for the group: it cannot be traced to a member, and the member is told so where they
write it.

Feedback is given for a week from when the session was logged. Counselors read the counts and the
comments. A leader, who knows who came, reads the counts only once feedback has closed, at least k
members (the school's smallest group) answered and not all the same way; never the comments, which
are written for the counselor."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import uuid4

from sqlalchemy import exists, select, update
from sqlalchemy.exc import IntegrityError

from schoolpeers.accounts.models import School, User
from schoolpeers.circles.models import FeedbackCount, FeedbackGiven, GroupSession, SessionAttendance, SessionComment
from schoolpeers.circles.session_concerns import where
from schoolpeers.circles.statuses import FEEDBACK_ANSWERS, SessionStatus
from schoolpeers.extensions import db
from schoolpeers.oversight import risk
from schoolpeers.oversight.models import Concern
from schoolpeers.oversight.services import raise_concern
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import as_utc

FEEDBACK_WINDOW = timedelta(days=7)  # from when the session was logged
MAX_COMMENT = 1000
UNTRACEABLE = ("The comment carries no name, so it cannot be traced to a member: consider talking with the "
               "group about where to find help.")


class FeedbackError(FieldRefusal):
    """Feedback that cannot be given as asked."""


def has_given(student: User, session: GroupSession) -> bool:
    return db.session.scalar(select(FeedbackGiven.student_id).where(
        FeedbackGiven.school_id == student.school_id, FeedbackGiven.session_id == session.id,
        FeedbackGiven.student_id == student.id)) is not None


def was_present(student: User, session: GroupSession) -> bool:
    """Whether the student was marked present at the held session: only they give feedback on it."""
    return session.status == SessionStatus.HELD and db.session.scalar(select(SessionAttendance.present).where(
        SessionAttendance.school_id == student.school_id, SessionAttendance.session_id == session.id,
        SessionAttendance.student_id == student.id)) is True


def still_open(session: GroupSession, now: datetime) -> bool:
    """Feedback is given within a week of the session being logged."""
    return session.logged_at is not None and now <= as_utc(session.logged_at) + FEEDBACK_WINDOW


def open_at(now: datetime):
    """`still_open` as a condition on held sessions, for queries."""
    return logged_since(open_since(now))


def open_since(now: datetime) -> datetime:
    """The earliest logging of a session whose feedback is still open."""
    return now - FEEDBACK_WINDOW


def logged_since(since):
    return GroupSession.logged_at >= since


def give_feedback(student: User, session: GroupSession, answer: str, comment: str, now: datetime) -> Concern | None:
    """Store a present member's answer (once) and comment, with no name; returns the concern a worrying
    comment raised for the group, if any."""
    if student.school_id != session.school_id or not was_present(student, session):
        raise FeedbackError("answer", "Feedback is for the members who came to the session.")
    if not still_open(session, now):
        raise FeedbackError("answer", "Feedback on this session has closed: it is given within a week.")
    if answer not in FEEDBACK_ANSWERS:
        raise FeedbackError("answer", "Choose one of the three answers.")
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise FeedbackError("comment", f"At most {MAX_COMMENT:,} characters.")
    if has_given(student, session):
        raise FeedbackError("answer", "You have already given your feedback on this session. Thank you!")
    try:  # two answers sent at once: the second finds the first's row
        with db.session.begin_nested():
            db.session.add(FeedbackGiven(school_id=session.school_id, session_id=session.id, student_id=student.id))
    except IntegrityError:
        raise FeedbackError("answer", "You have already given your feedback on this session. Thank you!") from None
    _count(session, answer)
    if comment:
        db.session.add(SessionComment(id=uuid4().hex, school_id=session.school_id, session_id=session.id,
                                      comment=comment))
    db.session.flush()
    return _screen_comment(session, comment, now)


def _count(session: GroupSession, answer: str) -> None:
    """One more of `answer`, counted in place (an atomic increment; the first answer of its kind adds
    the row, and one added meanwhile by another request is incremented instead)."""
    def increment() -> int:
        return db.session.execute(update(FeedbackCount).where(
            FeedbackCount.school_id == session.school_id, FeedbackCount.session_id == session.id,
            FeedbackCount.answer == answer).values(answers=FeedbackCount.answers + 1)).rowcount

    if increment():
        return
    try:
        with db.session.begin_nested():
            db.session.add(FeedbackCount(school_id=session.school_id, session_id=session.id, answer=answer, answers=1))
    except IntegrityError:
        increment()


def _screen_comment(session: GroupSession, comment: str, now: datetime) -> Concern | None:
    finding = risk.assess_notes(comment)
    if finding is None:
        return None
    school = db.session.get(School, session.school_id)
    source = "circle_feedback" if finding.source == risk.FindingSource.RISK_LANGUAGE else str(finding.source)
    # Raised by nobody: the member's name must not travel with the comment.
    return raise_concern(school, None, source=source, severity=str(finding.severity), raised_by=None, now=now,
                         group_session_id=session.id,
                         summary=f"{where(session, school)}, a member's anonymous comment: {finding.summary} "
                                 f"{UNTRACEABLE}")


@dataclass(frozen=True)
class FeedbackSummary:
    counts: dict[str, int]  # answer -> how many gave it, every answer listed
    comments: list[str] = field(default_factory=list)  # in no meaningful order

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def feedback_summary(session: GroupSession) -> FeedbackSummary:
    """Everything members said about the session: what counselors read."""
    counts = dict(db.session.execute(select(FeedbackCount.answer, FeedbackCount.answers).where(
        FeedbackCount.school_id == session.school_id, FeedbackCount.session_id == session.id)).all())
    comments = list(db.session.scalars(select(SessionComment.comment).where(
        SessionComment.school_id == session.school_id, SessionComment.session_id == session.id,
        SessionComment.comment != "").order_by(SessionComment.id)))  # a random key: no order of answering
    return FeedbackSummary({answer: counts.get(answer, 0) for answer in FEEDBACK_ANSWERS}, comments)


def for_leader(summary: FeedbackSummary, session: GroupSession, k: int, now: datetime) -> FeedbackSummary | None:
    """What a leader reads: the counts once feedback has closed, at least `k` answered and not all
    alike (a leader knows who came, so all alike would tell each one's answer); never the comments."""
    if still_open(session, now) or summary.total < k or max(summary.counts.values()) == summary.total:
        return None
    return FeedbackSummary(summary.counts)


def awaiting_feedback(student: User, now: datetime) -> list[GroupSession]:
    """Held sessions the student came to and can still give feedback on, the latest first."""
    given = exists().where(FeedbackGiven.school_id == GroupSession.school_id,
                           FeedbackGiven.session_id == GroupSession.id, FeedbackGiven.student_id == student.id)
    return list(db.session.scalars(
        select(GroupSession)
        .join(SessionAttendance, (SessionAttendance.session_id == GroupSession.id)
              & (SessionAttendance.school_id == GroupSession.school_id))
        .where(GroupSession.school_id == student.school_id, GroupSession.status == SessionStatus.HELD,
               open_at(now), SessionAttendance.student_id == student.id,
               SessionAttendance.present.is_(True), ~given)
        .order_by(GroupSession.starts_at.desc(), GroupSession.id.desc())))
