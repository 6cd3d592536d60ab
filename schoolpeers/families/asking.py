"""Asking families by mail: one signed link per guardian and child, reminders, answers through it.

The link carries the request's id and a nonce, signed with the app's secret (no sign-in: a parent
opens it from their mail). It works until the request expires; asking again renews the request and
sends the same guardian a new link, after which the old one stops. Mail goes through the outbox, so
a request is never announced unless it was saved, and a missing address shows on the school's list.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from schoolpeers import outbox
from schoolpeers.accounts.models import Guardian, GuardianStudent, School, User
from schoolpeers.batches import rows_where_in
from schoolpeers.extensions import db
from schoolpeers.families.consent import Decision, Standing
from schoolpeers.families.models import ConsentEvent, ConsentRequest
from schoolpeers.families.services import guardians_of, policy_for, record_answer, standings
from schoolpeers.timeutil import as_utc
from schoolpeers.web import absolute_url

SALT = "family-consent-link"


@dataclass
class Asked:
    """What asking came to: requests made (one per guardian and child), their mails, and the
    children with no contact to ask."""

    requests: list[ConsentRequest]
    without_contact: list[User]

    @property
    def mail_ids(self) -> list[int]:
        return [r.mail_id for r in self.requests if r.mail_id]


def link_token(request: ConsentRequest) -> str:
    return _serializer().dumps([request.id, request.nonce])


def request_for_token(token: str) -> ConsentRequest | None:
    """The request a link names, or None when the link was not made here, was replaced, or its
    guardian is no longer the student's contact or the student has left."""
    try:
        request_id, nonce = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if not isinstance(request_id, int) or not isinstance(nonce, str):
        return None
    request = db.session.get(ConsentRequest, request_id)
    if request is None or not secrets.compare_digest(request.nonce, nonce) or not still_stands(request):
        return None
    return request


def still_stands(request: ConsentRequest) -> bool:
    """The guardian is still linked to the student, and the student still at the school."""
    linked = db.session.scalar(select(GuardianStudent.student_id).where(
        GuardianStudent.school_id == request.school_id, GuardianStudent.guardian_id == request.guardian_id,
        GuardianStudent.student_id == request.student_id))
    return linked is not None and request.student.active


def is_expired(request: ConsentRequest, now: datetime) -> bool:
    return as_utc(request.expires_at) <= now


def ask(students: list[User], actor: User | None, now: datetime) -> Asked:
    """Ask every guardian of these students, by mail (flushes; the caller commits, then delivers)."""
    asked = Asked([], [])
    for student in students:
        guardians = guardians_of(student)
        if not guardians:
            asked.without_contact.append(student)
        for guardian in guardians:
            asked.requests.append(_ask_one(student, guardian, actor, now))
    return asked


def students_to_ask(school_id: int, students: list[User]) -> list[User]:
    """Of these students, those whose families have not answered yet (asked or not)."""
    mentee = standings(school_id, students, "mentee")
    return [s for s in students if mentee[s.id] in (Standing.WAITING, Standing.NOT_DECLINED)]


def remind(school: School, now: datetime) -> list[ConsentRequest]:
    """Remind the guardians who have not answered a request that still works, a week after the last
    mail, twice at most (flushes)."""
    config = current_app.config
    due = now - timedelta(days=config["CONSENT_REMINDER_DAYS"])
    reminded = []
    for request in db.session.scalars(select(ConsentRequest).where(
            ConsentRequest.school_id == school.id, ConsentRequest.reminders < config["CONSENT_REMINDERS"],
            ConsentRequest.expires_at > now)):
        last_mail = as_utc(request.reminded_at or request.sent_at)
        if last_mail > due or _answered_since(request) or not still_stands(request):
            continue
        request.reminders += 1
        request.reminded_at = now
        request.mail_id = _mail(request, now, reminder=True).id
        reminded.append(request)
    db.session.flush()
    return reminded


def answer_by_link(request: ConsentRequest, decision: str) -> ConsentEvent:
    """The guardian's answer through their link (flushes; the view audits and commits)."""
    return record_answer(request.student, request.guardian, decision=decision, channel="link", note="", actor=None)


def latest_answer(request: ConsentRequest) -> ConsentEvent | None:
    """This guardian's latest answer about this child, however it was given."""
    return db.session.scalar(select(ConsentEvent).where(
        ConsentEvent.school_id == request.school_id, ConsentEvent.student_id == request.student_id,
        ConsentEvent.guardian_id == request.guardian_id).order_by(ConsentEvent.id.desc()).limit(1))


def requests_of(school_id: int, students: list[User]) -> dict[int, list[ConsentRequest]]:
    """The requests made for these students, by student, newest first."""
    found: dict[int, list[ConsentRequest]] = {}
    for (request,) in rows_where_in(select(ConsentRequest).where(ConsentRequest.school_id == school_id),
                                    ConsentRequest.student_id, (s.id for s in students)):
        found.setdefault(request.student_id, []).append(request)
    for requests in found.values():
        requests.sort(key=lambda r: (as_utc(r.sent_at), r.id), reverse=True)
    return found


# --- internals ------------------------------------------------------------------------------


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _ask_one(student: User, guardian: Guardian, actor: User | None, now: datetime) -> ConsentRequest:
    request = db.session.scalar(select(ConsentRequest).where(
        ConsentRequest.school_id == student.school_id, ConsentRequest.guardian_id == guardian.id,
        ConsentRequest.student_id == student.id))
    if request is None:
        try:
            with db.session.begin_nested():  # the same family asked twice at once: one request
                request = ConsentRequest(school_id=student.school_id, student_id=student.id, guardian_id=guardian.id,
                                         nonce="", sent_at=now, expires_at=now)
                db.session.add(request)
        except IntegrityError:
            request = db.session.scalar(select(ConsentRequest).where(
                ConsentRequest.school_id == student.school_id, ConsentRequest.guardian_id == guardian.id,
                ConsentRequest.student_id == student.id))
    request.nonce = secrets.token_urlsafe(16)
    request.created_by_id = actor.id if actor else None
    request.sent_at, request.reminders, request.reminded_at = now, 0, None
    request.expires_at = now + timedelta(days=current_app.config["CONSENT_LINK_DAYS"])
    db.session.add(request)
    db.session.flush()
    request.mail_id = _mail(request, now, reminder=False).id
    db.session.flush()
    return request


def _answered_since(request: ConsentRequest) -> bool:
    answer = latest_answer(request)
    return answer is not None and as_utc(answer.recorded_at) >= as_utc(request.sent_at)


def _mail(request: ConsentRequest, now: datetime, *, reminder: bool) -> outbox.OutboxMail:
    school = db.session.get(School, request.school_id)
    guardian, child = request.guardian, request.student.given_name
    policy = policy_for(school.id)
    until = as_utc(request.expires_at).strftime("%d %B %Y")
    lines = [
        f"Dear {guardian.display_name},",
        "",
        ("This is a reminder: we have not heard from you yet. " if reminder else "")
        + f"{school.name} runs a peer-mentoring programme: trained older students support younger ones, "
        f"under the eye of the school's counselors. We would like to know whether {child} may take part.",
        "",
        policy.programme_text or "Please ask the school for a description of the programme.",
        "",
        f"Please give or decline your consent here (the link works until {until}):",
        absolute_url("families.answer", token=link_token(request)),
        "",
        "You can change your mind later from the same link.",
    ]
    if policy.family_contact:
        lines += ["", f"Questions? {policy.family_contact}"]
    subject = f"{'Reminder: ' if reminder else ''}{school.name}: peer mentoring for {child}"
    return outbox.queue(school.id, "consent_reminder" if reminder else "consent_request", guardian.email,
                        subject, "\n".join(lines) + "\n", about=request.student_id)


DECISION_WORDS = {Decision.GIVEN: "You gave your consent", Decision.DECLINED: "You declined",
                  Decision.WITHDRAWN: "You withdrew your consent"}
