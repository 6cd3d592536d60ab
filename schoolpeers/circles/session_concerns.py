"""The concerns a logged group session shows, raised in the same transaction as the log.

The leader's "I'm worried about them" ticks, and the notes screened as check-in notes are: a finding
about a member the notes name becomes a concern about that student (`attribution` says whom, among
everyone who was ever a member of the circle, so a named former member still gets it), one about
nobody named a concern for the group (no student: the session's page holds the words). A worry is
at least medium; its reason is screened too, so "she said she wants to kill herself tonight" is high
(and mailed, with a deadline to acknowledge it). A member's worry and findings make one concern,
with a line for each, most urgent first, as a check-in does. Findings' lines carry the lexicon's
phrases, never the notes' words."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.models import School, User
from schoolpeers.circles import attribution
from schoolpeers.circles.models import Circle, GroupSession
from schoolpeers.extensions import db
from schoolpeers.oversight import risk
from schoolpeers.oversight.models import Concern
from schoolpeers.oversight.services import raise_concern
from schoolpeers.oversight.statuses import ConcernStatus
from schoolpeers.severity import Severity
from schoolpeers.timeutil import in_zone

WORRY = "The leader is worried about this member."
# What a log raises concerns from (a fault in screening the notes included).
LOG_SOURCES = ("circle_worry", "circle_notes", "screening_failed")


def where(session: GroupSession, school: School) -> str:
    """Which session, in words a counselor reads first: "In the circle X's session on 3 March 2025"."""
    day = in_zone(session.starts_at, school.timezone).strftime("%d %B %Y").lstrip("0")
    if session.is_workshop:
        return f"In the workshop {session.title} on {day}"
    name = db.session.scalar(select(Circle.name).where(
        Circle.school_id == session.school_id, Circle.id == session.circle_id))
    return f"In the circle {name}'s session on {day}"


def worry_severity(reason: str) -> Severity:
    """A leader's worry is medium, or what screening finds in their few words when that is higher (a
    fault in screening them leaves it medium: the worry is raised all the same)."""
    found = risk.assess_notes(reason) if reason else None
    if found is None or found.source == risk.FindingSource.SCREENING_FAILED:
        return Severity.MEDIUM
    return max(Severity.MEDIUM, Severity(found.severity), key=lambda severity: severity.rank)


def raise_for_log(session: GroupSession, people: list[User], worries: dict[int, str], leader: User,
                  now: datetime) -> list[Concern]:
    """The concerns of a session's log: per member worried about or named in a finding, and one for
    the group when a finding names nobody (or screening failed). `people` are those the notes may
    name: everyone worried about, and whoever else was ever a member (or signed up for a workshop)."""
    school = db.session.get(School, session.school_id)
    prefix = where(session, school)
    by_member: dict[int, list[tuple[Severity, str, str]]] = defaultdict(list)  # (severity, source, line)
    for student_id, reason in worries.items():
        line = f"{WORRY} Leader's words: {reason}" if reason else WORRY
        by_member[student_id].append((worry_severity(reason), "circle_worry", line))
    for_group = []
    screening, finding = risk.screen_notes(session.notes)
    if finding is not None and finding.source == risk.FindingSource.SCREENING_FAILED:
        for_group.append((Severity(finding.severity), str(finding.source), finding.summary))
    elif finding is not None:
        about = attribution.attribute(session.notes, [m.span for m in screening.matches], [
            attribution.Member(p.id, p.given_name, p.family_name) for p in people])
        matches_of: dict[int | None, list[risk.Match]] = defaultdict(list)
        for match, ids in zip(screening.matches, about, strict=True):
            for target in ids or (None,):
                matches_of[target].append(match)
        for target, matches in matches_of.items():
            found = risk.assess_matches(matches)
            line = (Severity(found.severity), "circle_notes", found.summary)
            (for_group if target is None else by_member[target]).append(line)
    people_by_id = {p.id: p for p in people}
    concerns = [_raise(school, people_by_id[student_id], lines, prefix, session, leader, now)
                for student_id, lines in sorted(by_member.items())]
    if for_group:
        concerns.append(_raise(school, None, for_group, f"{prefix}, about the group", session, leader, now))
    return concerns


def _raise(school: School, student: User | None, lines: list[tuple[Severity, str, str]], prefix: str,
           session: GroupSession, leader: User, now: datetime) -> Concern:
    ordered = sorted(lines, key=lambda line: -line[0].rank)  # stable: a tied worry stays first
    severity, source, _ = ordered[0]
    summary = "\n".join(dict.fromkeys(f"{prefix}: {text}" for _, _, text in ordered))
    return raise_concern(school, student, source=source, severity=str(severity), summary=summary,
                         raised_by=leader, now=now, group_session_id=session.id)


def concerns_from(session: GroupSession) -> list[Concern]:
    """The concerns raised from the session (its log, members' comments): the most urgent first, then
    the most recent."""
    found = db.session.scalars(
        select(Concern).options(joinedload(Concern.student))
        .where(Concern.school_id == session.school_id, Concern.group_session_id == session.id)
        .order_by(Concern.created_at.desc(), Concern.id.desc()))
    return sorted(found, key=lambda concern: -Severity(concern.severity).rank)


def log_raised_urgent(session: GroupSession) -> bool:
    """Whether the log raised a high concern that no counselor has acknowledged yet: until one does,
    the leader is asked to tell their supervising counselor in person."""
    return db.session.scalar(select(Concern.id).where(
        Concern.school_id == session.school_id, Concern.group_session_id == session.id,
        Concern.source.in_(LOG_SOURCES), Concern.severity == Severity.HIGH,
        Concern.status == ConcernStatus.OPEN).limit(1)) is not None
