"""The circles report of a school year: the year's held sessions read as the plain rows of
`report_rules`, and what the pages publish.

A school year's report is published once the year has ended and then never changes: figures that
moved with every session logged, every erasure or every new grade could be compared with each
other to single out a student. The first time an ended year is asked for, its report is made and
stored as shown (`CircleReportRelease`); from then on that is what every page and download shows.
Like the outcomes report, none is published where the school protects its reports with
differential privacy: these figures would sit outside its yearly privacy budget.

Grade bands are the reports' (`lattice.grade_bands`); a student's band is that of their grade
when the report is made, as in the other reports (an attendance keeps no grade of its own).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from sqlalchemy import func, select

from schoolpeers.accounts.models import School, Topic, User
from schoolpeers.circles.models import (
    Circle,
    CircleReportRelease,
    FeedbackCount,
    GroupSession,
    MoodCount,
    SessionAttendance,
)
from schoolpeers.circles.report_rules import (
    OPEN_SESSIONS,
    Attendee,
    CircleTables,
    FeelingRow,
    HeldSession,
    ParticipationRow,
    band_holding,
    band_labels,
    band_of_grade,
    circle_tables,
)
from schoolpeers.circles.statuses import SessionStatus
from schoolpeers.extensions import db
from schoolpeers.reports.lattice import grade_bands
from schoolpeers.reports.perturbation import student_key
from schoolpeers.reports.privacy import CellStatus
from schoolpeers.reports.trends import PeriodSlot
from schoolpeers.reports.yearly import YearlyReport, stored_release, years_since
from schoolpeers.timeutil import in_zone, start_of_day

YEARLY = YearlyReport("circles report", "session logged")
TABLES = ("by_topic", "by_band", "feelings_by_topic", "feelings_by_band")


@dataclass(frozen=True)
class CirclesReport:
    year: PeriodSlot
    k: int
    tables: CircleTables


def school_years(school: School, today: date) -> list[PeriodSlot]:
    """The school years a report can be asked for, newest first: from the school's first held
    session to this one."""
    first = db.session.scalar(select(func.min(GroupSession.starts_at)).where(
        GroupSession.school_id == school.id, GroupSession.status == SessionStatus.HELD))
    return years_since(in_zone(first, school.timezone).date() if first else None, today)


def held_sessions(school: School, year: PeriodSlot, secret: bytes) -> list[HeldSession]:
    """The year's held sessions (dates at the school), each with its topic and band, the students
    expected at it and whether they came, its mood round and its feedback counts."""
    bands = grade_bands(school.grade_min, school.grade_max)
    in_year = (GroupSession.school_id == school.id, GroupSession.status == SessionStatus.HELD,
               GroupSession.starts_at >= start_of_day(year.start, school.timezone),
               GroupSession.starts_at < start_of_day(year.end + timedelta(days=1), school.timezone))
    held = select(GroupSession.id).where(*in_year)
    found = db.session.execute(
        select(GroupSession.id, GroupSession.circle_id, GroupSession.starts_at, GroupSession.grade_min,
               GroupSession.grade_max, Circle.grade_min, Circle.grade_max, Topic.name)
        .outerjoin(Circle, (Circle.id == GroupSession.circle_id) & (Circle.school_id == GroupSession.school_id))
        .outerjoin(Topic, (Topic.id == Circle.topic_id) & (Topic.school_id == GroupSession.school_id))
        .where(*in_year).order_by(GroupSession.starts_at, GroupSession.id)).all()
    attendees: dict[int, list[Attendee]] = {}
    for session_id, student_id, present, grade in db.session.execute(
            select(SessionAttendance.session_id, SessionAttendance.student_id, SessionAttendance.present, User.grade)
            .join(User, (User.id == SessionAttendance.student_id) & (User.school_id == SessionAttendance.school_id))
            .where(SessionAttendance.school_id == school.id, SessionAttendance.session_id.in_(held),
                   SessionAttendance.present.is_not(None))
            .order_by(SessionAttendance.session_id, SessionAttendance.student_id)):
        attendees.setdefault(session_id, []).append(
            Attendee(student=student_id, key=student_key(secret, student_id), band=band_of_grade(grade, bands),
                     present=bool(present)))
    moods: dict[int, list[tuple[int, int]]] = {}
    for session_id, mood, taps in db.session.execute(
            select(MoodCount.session_id, MoodCount.mood, MoodCount.taps)
            .where(MoodCount.school_id == school.id, MoodCount.session_id.in_(held))
            .order_by(MoodCount.session_id, MoodCount.mood)):
        moods.setdefault(session_id, []).append((mood, taps))
    feedback: dict[int, list[tuple[str, int]]] = {}
    for session_id, answer, given in db.session.execute(
            select(FeedbackCount.session_id, FeedbackCount.answer, FeedbackCount.answers)
            .where(FeedbackCount.school_id == school.id, FeedbackCount.session_id.in_(held),
                   FeedbackCount.answers > 0)
            .order_by(FeedbackCount.session_id, FeedbackCount.answer)):
        feedback.setdefault(session_id, []).append((answer, given))
    return [HeldSession(
        session=session_id, circle=circle_id, topic=topic_label(topic) if circle_id is not None else OPEN_SESSIONS,
        band=band_holding(circle_min, circle_max, bands) if circle_id is not None else band_holding(
            workshop_min, workshop_max, bands),
        day=in_zone(starts_at, school.timezone).date(), attendees=tuple(attendees.get(session_id, ())),
        moods=tuple(moods.get(session_id, ())), feedback=tuple(feedback.get(session_id, ())))
        for session_id, circle_id, starts_at, workshop_min, workshop_max, circle_min, circle_max, topic in found]


def topic_label(name: str) -> str:
    """A circle topic as a row reads it ("exam stress": "Exam stress"); never the open sessions' row."""
    label = name[:1].upper() + name[1:]
    return f"{label} (circles)" if label == OPEN_SESSIONS else label


def circles_report(school: School, year: PeriodSlot, secret: bytes) -> CirclesReport:
    """The year's circles report made now from the school's data, every figure through the one
    protection decision. What the pages publish is `published_report`: this, made once a year has ended."""
    sessions = held_sessions(school, year, secret)
    topics = [*sorted({s.topic for s in sessions if s.circle is not None}, key=str.casefold), OPEN_SESSIONS]
    bands = band_labels(grade_bands(school.grade_min, school.grade_max))
    k = school.min_group_size
    return CirclesReport(year=year, k=k, tables=circle_tables(sessions, topics, bands, k))


def unpublished_reason(school: School, year: PeriodSlot, today: date) -> str | None:
    """Why the circles report of `year` is not published for this school, or None when it is."""
    return YEARLY.unpublished_reason(school, year, today)


def published_report(school: School, year: PeriodSlot, today: date, secret: bytes) -> CirclesReport:
    """The published circles report of a school year that has ended (see `unpublished_reason`): the
    stored release, made the first time it is asked for (the caller commits)."""
    if (reason := unpublished_reason(school, year, today)) is not None:
        raise ValueError(reason)

    def make() -> tuple[int, dict]:
        made = circles_report(school, year, secret)
        return made.k, release_content(made)

    return released_report(stored_release(CircleReportRelease, school, year, make), year)


def release_content(report: CirclesReport) -> dict:
    """What a release stores of a report: every row of every table, as presented (strings)."""
    def row(r: ParticipationRow | FeelingRow) -> dict:
        return {name: str(value) for name, value in asdict(r).items()}

    return {"tables": {table: [row(r) for r in getattr(report.tables, table)] for table in TABLES}}


def released_report(release: CircleReportRelease, year: PeriodSlot) -> CirclesReport:
    """The report a stored release publishes, exactly as it was first shown."""
    tables = release.content["tables"]

    def participation(r: dict) -> ParticipationRow:
        return ParticipationRow(**{**r, "status": CellStatus(r["status"])})

    def feeling(r: dict) -> FeelingRow:
        return FeelingRow(**{**r, **{name: CellStatus(r[name]) for name in ("status", "mood_status",
                                                                            "helped_status")}})

    return CirclesReport(year=year, k=release.k, tables=CircleTables(
        by_topic=tuple(participation(r) for r in tables["by_topic"]),
        by_band=tuple(participation(r) for r in tables["by_band"]),
        feelings_by_topic=tuple(feeling(r) for r in tables["feelings_by_topic"]),
        feelings_by_band=tuple(feeling(r) for r in tables["feelings_by_band"])))
