"""Who hears about a high concern, by mail, once it is safely committed.

The mail says only that a concern is waiting, with a link: never a name, never notes.
"""
from __future__ import annotations

from flask import current_app
from sqlalchemy import select

from schoolpeers.accounts.models import School, User
from schoolpeers.extensions import db
from schoolpeers.mail import send_mail
from schoolpeers.mentors.models import CheckIn, SelfCheckIn
from schoolpeers.oversight import services
from schoolpeers.oversight.models import Concern, ConcernEvent
from schoolpeers.severity import Severity


def concern_link(concern: Concern) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}/oversight/concerns/{concern.id}"


def _mail(concerns: list[Concern], recipients: list[str], subject: str, opening: str, kind: str) -> bool:
    links = "\n".join(concern_link(c) for c in concerns)
    sent = send_mail(current_app.config, recipients, subject, f"{opening}\n\nPlease sign in:\n{links}\n")
    if sent:
        for concern in concerns:
            db.session.add(ConcernEvent(school_id=concern.school_id, concern_id=concern.id, kind=kind,
                                        note=f"Mailed to {len(set(recipients))} recipients."))
        db.session.commit()
    return sent


def notify_counselors(concerns: list[Concern]) -> bool:
    """Mail every counselor of the school about new high concerns."""
    high = [c for c in concerns if c.severity == Severity.HIGH]
    if not high:
        return False
    recipients = [u.email for u in services.counselors_of(high[0].school_id)]
    return _mail(high, recipients, "Urgent: a concern needs a counselor now", _raised_about(high), "mailed")


def _raised_about(concerns: list[Concern]) -> str:
    """Whom the concerns are about, without a name: a student, or a group (a worry about a circle)."""
    groups = sum(1 for c in concerns if c.about_group)
    if groups == 0:
        return "A high-severity concern was raised about a student at your school."
    if groups == len(concerns):
        return "A high-severity concern was raised about a peer-support group at your school."
    return "High-severity concerns were raised about students and a peer-support group at your school."


def notify_lead(concerns: list[Concern]) -> None:
    """Mail each school's designated lead about its escalated concerns (retried until accepted)."""
    by_school: dict[int, list[Concern]] = {}
    for concern in concerns:
        by_school.setdefault(concern.school_id, []).append(concern)
    for school_id, items in by_school.items():
        school = db.session.get(School, school_id)
        lead = db.session.get(User, school.designated_lead_id) if school.designated_lead_id else None
        recipients = [lead.email] if lead and lead.active else [u.email for u in services.counselors_of(school_id)]
        _mail(items, recipients, "Escalated: an urgent concern has not been acknowledged",
              f"A high-severity concern has waited longer than {school.ack_deadline_minutes} minutes.",
              "escalation_mailed")


def on_checkin_committed(checkin: CheckIn) -> None:
    """The `checkin_committed` receiver: mail about the check-in's high concerns."""
    _notify_unmailed_high(checkin.school_id, Concern.checkin_id == checkin.id)


def on_self_checkin_committed(entry: SelfCheckIn) -> None:
    """The `self_checkin_committed` receiver: mail about the student's own check-in's high concerns."""
    _notify_unmailed_high(entry.school_id, Concern.self_checkin_id == entry.id)


def on_group_session_committed(school_id: int, group_session_id: int) -> None:
    """After a circle's session (its log, a member's comment) is committed: mail about its high concerns."""
    _notify_unmailed_high(school_id, Concern.group_session_id == group_session_id)


def _notify_unmailed_high(school_id: int, raised_from) -> None:
    notify_counselors(list(db.session.scalars(select(Concern).where(
        Concern.school_id == school_id, raised_from, Concern.severity == Severity.HIGH,
        ~Concern.events.any(ConcernEvent.kind == "mailed")))))
