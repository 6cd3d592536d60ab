"""Guardians of a student, the school's consent policy, and families' answers.

Services flush; the view commits. Every answer is appended and audited by the view; a decline or
withdrawal sends `consent_stopped` in the same transaction (matching ends the student's work).
"""
from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import NamedTuple

from sqlalchemy import bindparam, select

from schoolpeers import outbox
from schoolpeers.accounts.models import (
    GUARDIAN_RELATIONSHIPS,
    Guardian,
    GuardianStudent,
    ListedPerson,
    School,
    User,
)
from schoolpeers.batches import in_values, rows_of_values
from schoolpeers.extensions import db
from schoolpeers.families.consent import Answer, Decision, Rule, Standing, rule_for, standing
from schoolpeers.families.models import CHANNELS, ConsentEvent, ConsentPolicy, ConsentRequest
from schoolpeers.families.signals import consent_stopped
from schoolpeers.timeutil import as_utc, today_in, utcnow

ROLES = ("mentee", "mentor")  # the two ways a student takes part


class ConsentError(ValueError):
    """A consent change that cannot be made; the message says why."""


class PolicyRules(NamedTuple):
    """The rules of a school's policy: all that deciding who may take part reads of it."""

    mentee_rule: str
    mentor_rule: str
    younger_rule: str


DEFAULT_RULES = PolicyRules(mentee_rule=Rule.OPT_OUT, mentor_rule=Rule.OPT_OUT, younger_rule=Rule.OPT_IN)
# Built once: the matching page decides the standing of everyone in its queue on every visit.
_RULES = select(ConsentPolicy.mentee_rule, ConsentPolicy.mentor_rule, ConsentPolicy.younger_rule).where(
    ConsentPolicy.school_id == bindparam("school_id"))
_ANSWERS = select(ConsentEvent).where(ConsentEvent.school_id == bindparam("school_id"),
                                      in_values(ConsentEvent.student_id))


def policy_for(school_id: int) -> ConsentPolicy:
    """The school's policy; the defaults (not yet saved) when it has set none."""
    policy = db.session.get(ConsentPolicy, school_id)
    if policy is None:
        policy = ConsentPolicy(school_id=school_id, **DEFAULT_RULES._asdict(), programme_text="", family_contact="")
    return policy


def rules_for(school_id: int) -> PolicyRules:
    """The rules of the school's policy (the defaults when it has set none), without loading the policy."""
    row = db.session.execute(_RULES, {"school_id": school_id}).first()
    return DEFAULT_RULES if row is None else PolicyRules(*row)


def save_policy(school: School, *, mentee_rule: str, mentor_rule: str, younger_rule: str,
                programme_text: str, family_contact: str = "") -> ConsentPolicy:
    policy = db.session.get(ConsentPolicy, school.id) or ConsentPolicy(school_id=school.id)
    policy.mentee_rule, policy.mentor_rule = Rule(mentee_rule), Rule(mentor_rule)
    policy.younger_rule, policy.programme_text = Rule(younger_rule), programme_text.strip()
    policy.family_contact = family_contact.strip()
    policy.updated_at = utcnow()
    db.session.add(policy)
    db.session.flush()
    return policy


# --- guardians ---------------------------------------------------------------------------------

def guardians_of(student: User) -> list[Guardian]:
    return list(db.session.scalars(
        select(Guardian).join(GuardianStudent, (GuardianStudent.guardian_id == Guardian.id)
                              & (GuardianStudent.school_id == Guardian.school_id))
        .where(Guardian.school_id == student.school_id, GuardianStudent.student_id == student.id)
        .order_by(Guardian.family_name, Guardian.given_name, Guardian.id)))


def guardian_of(student: User, guardian_id: int) -> Guardian | None:
    """One of the student's guardians by id, or None (another student's, another school's, or none)."""
    return next((g for g in guardians_of(student) if g.id == guardian_id), None)


def add_guardian(student: User, *, given_name: str, family_name: str, relationship: str, email: str | None,
                 phone: str | None) -> Guardian:
    """A contact typed by staff, linked to the student."""
    if relationship not in GUARDIAN_RELATIONSHIPS:
        raise ConsentError("Choose a relationship from the list.")
    guardian = Guardian(school_id=student.school_id, source="staff", roster_id=None, relationship_kind=relationship,
                        given_name=given_name.strip(), family_name=family_name.strip(),
                        email=(email or "").strip() or None, phone=(phone or "").strip() or None,
                        student_roster_ids=[])
    guardian.links = [GuardianStudent(school_id=student.school_id, student_id=student.id)]
    db.session.add(guardian)
    db.session.flush()
    return guardian


def update_guardian(guardian: Guardian, *, given_name: str, family_name: str, relationship: str,
                    email: str | None, phone: str | None) -> None:
    """Staff correct a contact they typed (a bounced address, a new phone)."""
    if guardian.source != "staff":
        raise ConsentError("This contact comes from the school information system: change it there.")
    if relationship not in GUARDIAN_RELATIONSHIPS:
        raise ConsentError("Choose a relationship from the list.")
    guardian.given_name, guardian.family_name = given_name.strip(), family_name.strip()
    guardian.relationship_kind = relationship
    email = (email or "").strip() or None
    if email != guardian.email:  # links mailed to the old address stop: the family is asked again
        _drop_requests(guardian)
    guardian.email, guardian.phone = email, (phone or "").strip() or None
    guardian.updated_at = utcnow()
    db.session.flush()


def _drop_requests(guardian: Guardian, student: User | None = None) -> None:
    """The guardian's consent requests (about this student only, if given) go, and their links stop."""
    query = select(ConsentRequest).where(ConsentRequest.school_id == guardian.school_id,
                                         ConsentRequest.guardian_id == guardian.id)
    if student is not None:
        query = query.where(ConsentRequest.student_id == student.id)
    for request in db.session.scalars(query):
        db.session.delete(request)


def remove_guardian(student: User, guardian: Guardian) -> None:
    """Staff remove a contact they typed from this student (gone when linked to nobody else). The
    school information system's contacts change only with its next roster import."""
    if guardian.source != "staff":
        raise ConsentError("This contact comes from the school information system: change it there.")
    guardian.links = [link for link in guardian.links if link.student_id != student.id]
    _drop_requests(guardian, student)
    if not guardian.links:
        db.session.delete(guardian)
    db.session.flush()


# --- answers -----------------------------------------------------------------------------------

def answers_by_student(school_id: int, students: list[User] | list[ListedPerson]) -> dict[int, list[ConsentEvent]]:
    """Every answer recorded for these students, newest first, by student."""
    found: dict[int, list[ConsentEvent]] = defaultdict(list)
    for (event,) in rows_of_values(_ANSWERS, (s.id for s in students), school_id=school_id):
        found[event.student_id].append(event)
    for events in found.values():
        events.sort(key=lambda e: e.id, reverse=True)  # appended in the order they were recorded
    return found


def history(student: User) -> list[ConsentEvent]:
    """Every answer recorded for the student, newest first."""
    return answers_by_student(student.school_id, [student]).get(student.id, [])


def standings(school_id: int, students: list[User] | list[ListedPerson], role: str) -> dict[int, Standing]:
    """Where each of these students stands to take part as `role` ("mentee" or "mentor"), in one query
    (a list may give them as `ListedPerson`s: their id, grade and birth date are all it reads)."""
    policy = rules_for(school_id)
    role_rule = policy.mentee_rule if role == "mentee" else policy.mentor_rule
    if role_rule == policy.younger_rule == Rule.NOT_REQUIRED:
        return dict.fromkeys((s.id for s in students), Standing.NOT_NEEDED)
    answers = {student_id: [Answer(_answerer(e), Decision(e.decision), as_utc(e.recorded_at), e.id) for e in events]
               for student_id, events in answers_by_student(school_id, students).items()}
    today = today_in(db.session.get(School, school_id).timezone)
    return {s.id: standing(_rule(policy, s, role, today), answers.get(s.id, [])) for s in students}


def _rule(policy: ConsentPolicy | PolicyRules, student: User | ListedPerson, role: str, today: date) -> Rule:
    """The rule the student follows in this role under the policy."""
    role_rule = policy.mentee_rule if role == "mentee" else policy.mentor_rule
    return rule_for(Rule(role_rule), Rule(policy.younger_rule), student.grade, student.birth_date, today)


def _answerer(event: ConsentEvent) -> int | str:
    """Whose answer it is: the contact, or the name recorded (a removed contact's answers stay theirs,
    apart from those recorded for the family as a whole)."""
    return event.guardian_id if event.guardian_id is not None else f"name:{event.guardian_name}"


def standing_of(student: User, role: str) -> Standing:
    return standings(student.school_id, [student], role)[student.id]


def record_answer(student: User, guardian: Guardian | None, *, decision: str, channel: str, note: str,
                  actor: User | None) -> ConsentEvent:
    """Append a family's answer (given by a guardian, or for the family when `guardian` is None).
    A decline or withdrawal sends `consent_stopped` for every role the student may not take part in
    afterwards, whether or not they could just before (a student matched before the school asked
    for consent is waiting, not stopped, until the family says no)."""
    if decision not in set(Decision) or channel not in CHANNELS:
        raise ConsentError("Choose the answer and how it was given from the lists.")
    event = ConsentEvent(school_id=student.school_id, student_id=student.id,
                         guardian_id=guardian.id if guardian else None,
                         guardian_name=guardian.display_name if guardian else "The family",
                         decision=decision, channel=channel, note=note.strip(),
                         recorded_by_id=actor.id if actor else None, recorded_at=utcnow())
    db.session.add(event)
    db.session.flush()
    if decision != Decision.GIVEN:
        stopped = tuple(role for role in ROLES if not standing_of(student, role).may_take_part)
        if stopped:
            consent_stopped.send(student, actor=actor, roles=stopped)
    return event


# --- forgetting -------------------------------------------------------------------------------

def forget_family(student: User) -> dict[str, int]:
    """Remove what the school keeps of the student's family: their answers and requests, and the
    student's links to contacts (a contact typed by staff and linked to nobody else goes with them;
    the school information system's stay until its roster drops them). Flushes; counts by kind."""
    answers = history(student)
    requests = list(db.session.scalars(select(ConsentRequest).where(
        ConsentRequest.school_id == student.school_id, ConsentRequest.student_id == student.id)))
    guardians = guardians_of(student)
    for record in (*answers, *requests):
        db.session.delete(record)
    for guardian in guardians:
        guardian.links = [link for link in guardian.links if link.student_id != student.id]
        if not guardian.links and guardian.source == "staff":
            db.session.delete(guardian)
    db.session.flush()
    return {"consent answers removed": len(answers), "consent requests removed": len(requests),
            "guardian links removed": len(guardians)}


def last_family_record(student: User):
    """When the school last recorded something of the student's family (an answer or a request)."""
    times = [as_utc(t) for t in db.session.scalars(
        select(ConsentEvent.recorded_at).where(ConsentEvent.school_id == student.school_id,
                                               ConsentEvent.student_id == student.id)
        .union_all(select(ConsentRequest.sent_at).where(ConsentRequest.school_id == student.school_id,
                                                        ConsentRequest.student_id == student.id)))]
    return max(times, default=None)


# --- what families are told ----------------------------------------------------------------------

FAMILY_NEWS = {
    "matched": ("{school}: {child} has a peer mentor",
                "{child} has been matched with a peer mentor, {mentor}: a trained older student who will meet "
                "{child} at school every few weeks. What they talk about stays between them and the school's "
                "counselors, who look after the programme."),
    "ended": ("{school}: {child}'s peer mentoring has ended",
              "{child}'s peer mentoring with {mentor} has ended. Thank you for letting {child} take part. If "
              "{child} would like a mentor again, they can ask at any time."),
}


def tell_families(student: User, news: str, mentor_first_name: str) -> int:
    """Mail the student's contacts who have an address that a mentorship began or ended: the mentor's
    first name and nothing else (never notes, ratings or concerns). Not where the school asks no
    consent of this student's family (a teenager's own choice stays theirs). Through the outbox,
    sent after the commit; the count of mails written."""
    school = db.session.get(School, student.school_id)
    policy = policy_for(school.id)
    if _rule(policy, student, "mentee", today_in(school.timezone)) == Rule.NOT_REQUIRED:
        return 0
    contact = policy.family_contact
    subject, text = FAMILY_NEWS[news]
    words = {"school": school.name, "child": student.given_name, "mentor": mentor_first_name}
    written = 0
    for guardian in guardians_of(student):
        if guardian.email:
            body = f"Dear {guardian.display_name},\n\n{text.format(**words)}\n"
            if contact:
                body += f"\nQuestions? {contact}\n"
            outbox.queue(school.id, f"family_{news}", guardian.email, subject.format(**words), body,
                         about=student.id)
            written += 1
    return written
