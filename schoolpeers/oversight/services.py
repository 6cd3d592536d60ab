"""Concerns: raised from check-ins (same transaction), by students and by counselors; acknowledged,
annotated and resolved with an append-only history; escalated when a high one waits too long."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Select, bindparam, case, func, select
from sqlalchemy.orm import aliased, joinedload, load_only, selectinload

from schoolpeers.accounts.models import NAME_COLUMNS, ListedPerson, School, User, listed_person
from schoolpeers.extensions import db
from schoolpeers.mentors.checkins import active_mentorship_of_mentee, last_checkin_dates, last_checkin_on
from schoolpeers.mentors.listing import MENTEE, MENTOR, with_both_people
from schoolpeers.mentors.models import CheckIn, CheckInRevision, Mentorship, SelfCheckIn
from schoolpeers.mentors.statuses import MentorshipStatus
from schoolpeers.oversight import risk
from schoolpeers.oversight.models import OUTCOMES, SOURCES, Concern, ConcernEvent, is_about_group
from schoolpeers.oversight.statuses import UNRESOLVED, ConcernStatus
from schoolpeers.paging import CountedPage, counted_page, page_bounds, pages_itself
from schoolpeers.records import Into
from schoolpeers.severity import Severity, highest
from schoolpeers.sql_constants import constant
from schoolpeers.timeutil import as_utc, utcnow

MAX_NOTE = 4000


class ConcernError(ValueError):
    """The change cannot be made; the message says why."""


def _event(concern: Concern, kind: str, actor: User | None, note: str = "") -> None:
    db.session.add(ConcernEvent(school_id=concern.school_id, concern_id=concern.id, kind=kind,
                                actor_id=actor.id if actor else None, note=note))


def raise_concern(school: School, student: User | None, *, source: str, severity: str, summary: str,
                  raised_by: User | None, now: datetime, mentorship_id: int | None = None,
                  checkin_id: int | None = None, self_checkin_id: int | None = None,
                  group_session_id: int | None = None) -> Concern:
    """A concern about `student`; or, raised from a circle's session (`group_session_id`) with no
    student, about the circle as a group."""
    if source not in SOURCES or severity not in tuple(Severity):
        raise ConcernError("Unknown source or severity.")
    if student is None and group_session_id is None:
        raise ConcernError("A concern is about a student, or about a circle's session.")
    if student is not None and student.school_id != school.id:
        raise ConcernError("The student is not of this school.")
    concern = Concern(
        school_id=school.id, student_id=student.id if student else None, mentorship_id=mentorship_id,
        checkin_id=checkin_id, self_checkin_id=self_checkin_id, group_session_id=group_session_id,
        source=source, severity=severity, summary=summary.strip()[:MAX_NOTE],
        raised_by_id=raised_by.id if raised_by else None, created_at=now, status=ConcernStatus.OPEN,
        ack_due_at=now + timedelta(minutes=school.ack_deadline_minutes) if severity == Severity.HIGH else None,
    )
    db.session.add(concern)
    db.session.flush()
    _event(concern, "raised", raised_by, summary)
    return concern


def screen_checkin(checkin: CheckIn, earlier: list[int], correction: bool, now: datetime) -> list[Concern]:
    """The concern this check-in shows, if any: one per save, with a reason (a line of its summary)
    for each finding, most urgent first, and the severity of the most urgent. A counselor closes it
    once. A correction adds a concern for what is new, never removes one."""
    findings = risk.assess_checkin(
        wellbeing=checkin.wellbeing, earlier_wellbeing=earlier, notes=checkin.notes, worry_flag=checkin.worried,
        worry_severity=risk.Severity(checkin.worry_severity) if checkin.worry_severity else None)
    already = set()
    if correction:  # a reason still open is not raised twice; anything new is
        for summary in db.session.scalars(select(Concern.summary).where(
                Concern.school_id == checkin.school_id, Concern.checkin_id == checkin.id,
                Concern.status != ConcernStatus.RESOLVED)):
            already.update(summary.splitlines())
    reasons = []
    for finding in sorted(findings, key=lambda f: -Severity(f.severity).rank):
        summary = finding.summary
        if finding.source == risk.FindingSource.MENTOR_WORRY and checkin.worry_reason:
            summary = f"{summary} Mentor's words: {' '.join(checkin.worry_reason.split())}"
        if summary not in already and (finding, summary) not in reasons:
            reasons.append((finding, summary))
    if not reasons:
        return []
    first = reasons[0][0]
    school = db.session.get(School, checkin.school_id)
    mentor, mentee = db.session.get(User, checkin.mentor_id), db.session.get(User, checkin.mentee_id)
    return [raise_concern(school, mentee, source=str(first.source), severity=str(first.severity),
                          summary="\n".join(summary for _, summary in reasons), raised_by=mentor, now=now,
                          mentorship_id=checkin.mentorship_id, checkin_id=checkin.id)]


def on_checkin_saved(checkin: CheckIn, *, earlier: list[int], correction: bool) -> str | None:
    """The `checkin_saved` receiver: raise the concerns, return the highest severity raised."""
    concerns = screen_checkin(checkin, earlier, correction, utcnow())
    return highest(c.severity for c in concerns)


def screen_self_checkin(entry: SelfCheckIn, earlier: list[int], now: datetime) -> list[Concern]:
    """The concern a student's own check-in shows, if any, raised like a mentor's (one per save,
    a line per finding, most urgent first); "I want to talk to a counselor" is the button's request."""
    findings = risk.assess_checkin(wellbeing=entry.wellbeing, earlier_wellbeing=earlier, notes=entry.note,
                                   worry_flag=False, worry_severity=None)
    student = db.session.get(User, entry.mentee_id)
    concerns = []
    if findings:
        ordered = sorted(findings, key=lambda f: -Severity(f.severity).rank)
        summary = "\n".join(dict.fromkeys(f"In the student's own check-in: {f.summary}" for f in ordered))
        concerns.append(raise_concern(
            student.school, student, source=str(ordered[0].source), severity=str(ordered[0].severity),
            summary=summary, raised_by=student, now=now, mentorship_id=entry.mentorship_id,
            self_checkin_id=entry.id))
    if entry.wants_counselor:
        concerns.append(ask_for_counselor(student, now, self_checkin_id=entry.id))
    return concerns


def on_self_checkin_saved(entry: SelfCheckIn, *, earlier: list[int]) -> str | None:
    """The `self_checkin_saved` receiver: raise the concerns, return the highest severity raised."""
    return highest(c.severity for c in screen_self_checkin(entry, earlier, utcnow()))


def ask_for_counselor(student: User, now: datetime, self_checkin_id: int | None = None) -> Concern:
    """The student's "I want to talk to a counselor" button. Pressing it twice does not duplicate."""
    if student.role != "student":
        raise ConcernError("This button is for students.")
    open_one = db.session.scalar(select(Concern).where(
        Concern.school_id == student.school_id, Concern.student_id == student.id,
        Concern.source == "mentee_request", Concern.status != ConcernStatus.RESOLVED))
    if open_one is not None:
        return open_one
    mentorship = active_mentorship_of_mentee(student)
    return raise_concern(student.school, student, source="mentee_request", severity=Severity.MEDIUM,
                         summary="The student asked to talk to a counselor.", raised_by=student, now=now,
                         mentorship_id=mentorship.id if mentorship else None, self_checkin_id=self_checkin_id)


def _lock(concern: Concern) -> None:
    """Two counselors acting at once take turns, and the second sees the first one's change."""
    # A fresh statement, not refresh(): refresh would repeat the eager joins the concern was loaded
    # with, and PostgreSQL refuses FOR UPDATE on the nullable side of an outer join.
    db.session.execute(select(Concern).where(Concern.school_id == concern.school_id, Concern.id == concern.id)
                       .with_for_update()
                       .execution_options(populate_existing=True))


def acknowledge(concern: Concern, counselor: User, now: datetime) -> None:
    _lock(concern)
    if concern.status != ConcernStatus.OPEN:
        raise ConcernError(f"This concern is already {concern.status}.")
    concern.status, concern.acknowledged_at = ConcernStatus.ACKNOWLEDGED, now
    _event(concern, "acknowledged", counselor)
    db.session.flush()


def add_note(concern: Concern, counselor: User, note: str) -> None:
    note = (note or "").strip()
    if not note:
        raise ConcernError("Write the note first.")
    if len(note) > MAX_NOTE:
        raise ConcernError(f"At most {MAX_NOTE} characters.")
    _event(concern, "note", counselor, note)
    db.session.flush()


def resolve(concern: Concern, counselor: User, outcome: str, note: str, now: datetime) -> None:
    _lock(concern)
    if concern.status == ConcernStatus.RESOLVED:
        raise ConcernError("This concern is already resolved.")
    if outcome not in OUTCOMES:
        raise ConcernError("Choose an outcome from the list.")
    note = (note or "").strip()
    if not note:
        raise ConcernError("Say what was done: a note is required to resolve.")
    if concern.status == ConcernStatus.OPEN:  # resolving also acknowledges
        concern.acknowledged_at = now
        _event(concern, "acknowledged", counselor)
    concern.status, concern.resolved_at, concern.outcome = ConcernStatus.RESOLVED, now, outcome
    _event(concern, "resolved", counselor, f"{OUTCOMES[outcome]}: {note}"[:MAX_NOTE])
    db.session.flush()


def acknowledgement_overdue(concern: Concern, now: datetime) -> bool:
    """A concern still open past the time it had to be acknowledged by (not a mentorship's check-in:
    that is `risk.is_overdue`)."""
    return concern.status == ConcernStatus.OPEN and concern.ack_due_at is not None and as_utc(concern.ack_due_at) < now


def open_concerns(school_id: int, now: datetime) -> list[Concern]:
    """Unresolved concerns with their student: overdue ones first, then by severity, then oldest first."""
    return list(db.session.scalars(_unresolved_most_urgent_first(school_id, now).options(joinedload(Concern.student))))


class ListedConcern(NamedTuple):
    """An unresolved concern as the dashboard lists it (no summary; for a worry about a group,
    `groups_of` names the session that raised it)."""

    id: int
    student_id: int | None
    group_session_id: int | None
    source: str
    severity: str
    status: str
    created_at: datetime
    ack_due_at: datetime | None
    student: ListedPerson  # every field None for a worry about a group

    @property
    def about_group(self) -> bool:
        return is_about_group(self.student_id)


def open_concerns_list_query(school_id: int, now: datetime) -> Select:
    """The same concerns as `ListedConcern`s."""
    return _CONCERN_LIST.params(school_id=school_id, now=now)


def open_concerns_page(school_id: int, now: datetime, page: int, per_page: int) -> CountedPage:
    """A page of `open_concerns_list_query`, by the statement built once."""
    return counted_page(_CONCERN_LIST, page, per_page, school_id=school_id, now=now)


def _unresolved_most_urgent_first(school_id, now) -> Select:
    """`school_id` and `now`: values, or bound parameters for a statement built once."""
    overdue_first = case(((Concern.status == ConcernStatus.OPEN) & (Concern.ack_due_at < now), 0), else_=1)
    severity_order = case({s.value: -s.rank for s in Severity}, value=Concern.severity)
    # Listing the unresolved statuses (not `!= 'resolved'`) lets the (school, status, severity) index serve;
    # written into the SQL, they let the plan kept for every call know that few concerns are unresolved.
    return (select(Concern)
            .where(Concern.school_id == school_id, Concern.status.in_([constant(s) for s in UNRESOLVED]))
            .order_by(overdue_first, severity_order, Concern.created_at, Concern.id))


def overdue_mentorships_query(school_id: int, today: date, cadence_days: int) -> Select:
    """Rows of an active mentorship without a check-in for longer than the cadence (with the names
    of both people) and the date of its last check-in, or None; the longest silent first."""
    return _OVERDUE_MENTORSHIPS.params(school_id=school_id, cutoff=today - timedelta(days=cadence_days))


class OverdueMentorship(NamedTuple):
    """An active mentorship overdue for a check-in, as the dashboard lists it."""

    id: int
    mentee: ListedPerson
    mentor: ListedPerson


def overdue_mentorships_page(school_id: int, today: date, cadence_days: int, page: int, per_page: int
                             ) -> CountedPage:
    """A page of `overdue_mentorships_query` as `OverdueMentorship`s, by a statement built once that
    chooses the page's mentorships before it joins their people."""
    return counted_page(_OVERDUE_PAGE, page, per_page, school_id=school_id,
                        cutoff=today - timedelta(days=cadence_days))


def _overdue_mentorships(*, page_first: bool = False) -> Select:
    last = last_checkin_on()
    cutoff = bindparam("cutoff", type_=Date)
    # Silent since before the cutoff means: begun before it, and no check-in on or after it. One probe
    # of the index per active mentorship; the last check-in is looked up only for those listed.
    checked_in_since = (select(CheckIn.id)
                        .where(CheckIn.school_id == Mentorship.school_id, CheckIn.mentorship_id == Mentorship.id,
                               CheckIn.occurred_on >= cutoff)
                        .correlate(Mentorship).exists())
    silent_since = case((last > Mentorship.began_on, last), else_=Mentorship.began_on)
    silent = (Mentorship.school_id == bindparam("school_id"), Mentorship.status == MentorshipStatus.ACTIVE,
              Mentorship.began_on < cutoff, ~checked_in_since)
    if not page_first:
        shown = (load_only(Mentorship.school_id, Mentorship.mentor_id, Mentorship.mentee_id),
                 joinedload(Mentorship.mentor).load_only(*NAME_COLUMNS),
                 joinedload(Mentorship.mentee).load_only(*NAME_COLUMNS))
        return select(Mentorship, last.label("last_checkin_on")).options(*shown).where(*silent) \
            .order_by(silent_since, Mentorship.id)
    # PostgreSQL cannot tell how few are silent, so it joined every person of the school to them all.
    page = page_bounds(select(Mentorship.id, last.label("last_checkin_on"), silent_since.label("silent_since"),
                              func.count().over().label("total"))
                       .where(*silent).order_by(silent_since, Mentorship.id)).subquery()
    listed = Into(OverdueMentorship, Mentorship.id, listed_person(MENTEE), listed_person(MENTOR))
    chosen = (select(listed, page.c.last_checkin_on, page.c.total).select_from(Mentorship)
              .join(page, page.c.id == Mentorship.id))
    return pages_itself(with_both_people(chosen).where(Mentorship.school_id == bindparam("school_id"))
                        .order_by(page.c.silent_since, Mentorship.id))


# Built once and given their values per call, which takes microseconds: building them cost the dashboard
# about 0.3 ms each.
_STUDENT = aliased(User, name="student")
_CONCERN_LIST = (_unresolved_most_urgent_first(bindparam("school_id"), bindparam("now"))
                 .with_only_columns(Into(ListedConcern, Concern.id, Concern.student_id, Concern.group_session_id,
                                         Concern.source, Concern.severity, Concern.status, Concern.created_at,
                                         Concern.ack_due_at, listed_person(_STUDENT)))
                 .outerjoin(Concern.student.of_type(_STUDENT)))
_OVERDUE_MENTORSHIPS = _overdue_mentorships()
_OVERDUE_PAGE = _overdue_mentorships(page_first=True)


def concern_for_page(school_id: int, concern_id: int) -> Concern:
    """A concern with everything its page shows, in a few queries whatever the length of its history."""
    return db.session.scalar(
        select(Concern).options(joinedload(Concern.student),
                                joinedload(Concern.checkin).selectinload(
                                    CheckIn.revisions.and_(CheckInRevision.school_id == school_id)),
                                joinedload(Concern.self_checkin),
                                selectinload(Concern.events.and_(ConcernEvent.school_id == school_id))
                                .joinedload(ConcernEvent.actor))
        .where(Concern.school_id == school_id, Concern.id == concern_id))


def urgent_banner_facts(school_id: int) -> tuple[int, int | None]:
    """(how many high concerns wait to be acknowledged, the one's id when there is exactly one)."""
    return banner_facts(*db.session.execute(_URGENT, {"school_id": school_id}).one())


def banner_facts(count: int | None, first_id: int | None) -> tuple[int, int | None]:
    """The banner opens the concern itself only when it is the one waiting."""
    return count or 0, first_id if count == 1 else None


def _urgent(school_id) -> tuple:
    return (Concern.school_id == school_id, Concern.status == constant(ConcernStatus.OPEN),
            Concern.severity == constant(Severity.HIGH))


def urgent_query(school_id) -> Select:
    """How many high concerns wait to be acknowledged, and the lowest id among them, in one aggregate
    (`school_id`: a number, or a bound parameter for a statement built once). Asked apart, the lowest id
    alone would be read along the primary key until a match: under a generic plan (a prepared
    statement's), through every concern of the district when none waits."""
    return select(func.count().label("urgent"), func.min(Concern.id).label("first_urgent_id")).where(
        *_urgent(school_id))


# Built once: the banner runs it on every page a counselor opens.
_URGENT = urgent_query(bindparam("school_id"))


def counselors_of(school_id: int) -> list[User]:
    return list(db.session.scalars(select(User).where(
        User.school_id == school_id, User.role == "counselor", User.active.is_(True))))


# --- the scheduler's sweep ---------------------------------------------------------------------

def escalate_overdue(now: datetime) -> list[Concern]:
    """High concerns past their deadline, not yet escalated: mark them. Idempotent."""
    overdue = list(db.session.scalars(select(Concern).where(
        Concern.status == ConcernStatus.OPEN, Concern.severity == Severity.HIGH, Concern.ack_due_at < now,
        Concern.escalated_at.is_(None), Concern.school_id.in_(select(School.id).where(School.archived_at.is_(None))))
        .order_by(Concern.id).with_for_update(skip_locked=True)))
    for concern in overdue:
        concern.escalated_at = now
        _event(concern, "escalated", None, "Not acknowledged within the school's deadline; "
                                           "escalated to the designated lead.")
    db.session.flush()
    return overdue


def escalated_without_mail() -> list[Concern]:
    """Escalated, still unacknowledged, and the lead's mail not yet accepted: to be (re)tried."""
    return list(db.session.scalars(select(Concern).where(
        Concern.status == ConcernStatus.OPEN, Concern.escalated_at.is_not(None),
        ~Concern.events.any((ConcernEvent.school_id == Concern.school_id) & (ConcernEvent.kind == "escalation_mailed")))
        .order_by(Concern.id)))


def raise_overdue_checkins(now: datetime) -> list[Concern]:
    """A low concern for each active mentorship without a check-in for the school's cadence.
    Idempotent: one concern per silent stretch, even after it is resolved."""
    raised = []
    for school in db.session.scalars(select(School).where(School.archived_at.is_(None)).order_by(School.id)):
        today = now.astimezone(ZoneInfo(school.timezone)).date() if school.timezone else now.date()
        active = list(db.session.scalars(select(Mentorship).where(
            Mentorship.school_id == school.id, Mentorship.status == MentorshipStatus.ACTIVE)))
        last = last_checkin_dates(school.id, [m.id for m in active])
        latest_overdue = dict(db.session.execute(
            select(Concern.mentorship_id, func.max(Concern.created_at)).where(
                Concern.school_id == school.id, Concern.source == "overdue").group_by(Concern.mentorship_id)).all())
        for m in active:
            if m.began_on is None:
                continue
            silent_since = max(filter(None, (m.began_on, last.get(m.id))))
            flagged = latest_overdue.get(m.id)
            if flagged is not None and as_utc(flagged).date() >= silent_since:
                continue
            if risk.is_overdue(m.began_on, last.get(m.id), today, school.checkin_cadence_days):
                raised.append(raise_concern(
                    school, m.mentee, source="overdue", severity=Severity.LOW, raised_by=None, now=now,
                    mentorship_id=m.id,
                    summary=f"No check-in for more than {school.checkin_cadence_days} days."))
    return raised
