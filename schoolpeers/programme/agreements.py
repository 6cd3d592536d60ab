"""The agreement a mentor and mentee write down at their first meeting: how often and where they meet,
their ground rules, the limits of confidentiality (the same plain words for every pair), and one to
three goals. The mentor writes it and says they agreed it together; the mentee reads it and agrees
on their own page. Any change to what was agreed asks the mentee to agree again.

Plain functions that flush; the view commits.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from schoolpeers.accounts.models import User
from schoolpeers.extensions import db
from schoolpeers.mentors.checkins import active_mentorship_of_mentee, lock_pair
from schoolpeers.mentors.models import Mentorship
from schoolpeers.mentors.statuses import MentorshipStatus
from schoolpeers.programme.goal_rules import GoalText, Terms, goals_after, plan_goals, tidy
from schoolpeers.programme.goals import goals_of, stored_goals
from schoolpeers.programme.models import GOAL_AREAS, MAX_GOALS, MEETING_FREQUENCIES, Agreement, Goal
from schoolpeers.programme.prompts import Prompt
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import as_utc

# Shown to both, word for word: what stays between them and what a mentor must pass on.
CONFIDENTIALITY_LIMITS = (
    "What you tell your mentor stays between the two of you, except:",
    "If you or someone else might be hurt or in danger, your mentor must tell a counselor the same day.",
    "If someone is hurting you, or an adult is treating you in a way that is not okay, your mentor must "
    "tell a counselor.",
    "If you talk about hurting yourself, your mentor must tell a counselor straight away.",
    "Your mentor writes a short note after each meeting, which only they and the counselors can read. "
    "Counselors are there to help, and they will talk with you first whenever they can.",
)
MAX_WHERE = 200
MAX_GROUND_RULES = 2000


class AgreementError(FieldRefusal):
    """An agreement that cannot be saved as asked."""


@dataclass(frozen=True)
class AgreementData:
    how_often: str
    where: str
    ground_rules: str = ""
    goals: list[GoalText] = field(default_factory=list)
    mentor_agreed: bool = False


def agreement_of(mentorship: Mentorship) -> Agreement | None:
    return db.session.scalar(select(Agreement).where(
        Agreement.school_id == mentorship.school_id, Agreement.mentorship_id == mentorship.id))


def _terms(agreement: Agreement | None, goals) -> Terms | None:
    if agreement is None:
        return None
    return Terms(agreement.how_often, agreement.where, agreement.ground_rules or "", tuple(goals))


def save_agreement(mentorship: Mentorship, mentor: User, data: AgreementData, now: datetime,
                   today: date) -> tuple[Agreement, bool]:
    """Write (or change) the pair's agreement and goals; returns it and whether what was agreed changed.
    A change stamps the mentor's acknowledgement again and waits for the mentee to agree again."""
    if mentorship.mentor_id != mentor.id or mentorship.school_id != mentor.school_id:
        raise AgreementError("how_often", "You can only write down agreements with your own mentees.")
    if lock_pair(mentorship) != MentorshipStatus.ACTIVE:
        raise AgreementError("how_often", "This mentorship is not active.")
    if data.how_often not in MEETING_FREQUENCIES:
        raise AgreementError("how_often", "Choose how often you will meet.")
    where, rules = tidy(data.where), (data.ground_rules or "").strip()
    if not where:
        raise AgreementError("where", "Say where you will meet.")
    if len(where) > MAX_WHERE:
        raise AgreementError("where", f"At most {MAX_WHERE} characters.")
    if len(rules) > MAX_GROUND_RULES:
        raise AgreementError("ground_rules", f"At most {MAX_GROUND_RULES:,} characters.")
    stored = stored_goals(mentorship)
    changes = plan_goals(stored, data.goals, GOAL_AREAS, MAX_GOALS)
    if not data.mentor_agreed:
        raise AgreementError("mentor_agreed", "Tick this once you have agreed it together.")

    agreement = agreement_of(mentorship)
    before = _terms(agreement, ((g.position, g.area, g.wording) for g in stored))
    after = Terms(data.how_often, where, rules, goals_after(stored, changes))
    if before == after:
        return agreement, False
    if agreement is None:
        agreement = Agreement(school_id=mentorship.school_id, mentorship_id=mentorship.id, created_at=now)
        db.session.add(agreement)
    agreement.how_often, agreement.where, agreement.ground_rules = after.how_often, after.where, after.ground_rules
    agreement.agreed_on, agreement.mentor_agreed_at, agreement.mentee_agreed_at = today, now, None
    _write_goals(mentorship, changes)
    db.session.flush()
    return agreement, True


def _write_goals(mentorship: Mentorship, changes) -> None:
    goals = {goal.id: goal for goal in goals_of(mentorship)}
    for goal_id in changes.delete:  # only goals without progress come here (the rules refuse the others)
        db.session.delete(goals[goal_id])
    for goal_id, area, wording in changes.update:
        goals[goal_id].area, goals[goal_id].wording = area, wording
    db.session.flush()  # a freed position may be taken by a new goal
    for position, area, wording in changes.create:
        db.session.add(Goal(school_id=mentorship.school_id, mentorship_id=mentorship.id, position=position,
                            area=area, wording=wording))


class MenteeAgreementError(FieldRefusal):
    """The mentee cannot agree: nothing is waiting for them, or it changed since they read it."""


def version_of(agreement: Agreement) -> str:
    """Which version of the agreement a page showed: the time the mentor last agreed it."""
    return as_utc(agreement.mentor_agreed_at).isoformat() if agreement.mentor_agreed_at else ""


def agree_as_mentee(mentee: User, version: str, now: datetime) -> Agreement:
    """The mentee agrees the agreement of their active mentorship, as they read it (`version`)."""
    mentorship = active_mentorship_of_mentee(mentee)
    if mentorship is None or lock_pair(mentorship) != MentorshipStatus.ACTIVE:
        raise MenteeAgreementError("version", "You do not have a mentor at the moment.")
    agreement = agreement_of(mentorship)
    if agreement is None or agreement.mentor_agreed_at is None:
        raise MenteeAgreementError("version", "There is no agreement to read yet.")
    if version != version_of(agreement):
        raise MenteeAgreementError("version", "Your mentor has just changed the agreement. Please read it again.")
    if agreement.mentee_agreed_at is None:
        agreement.mentee_agreed_at = now
        db.session.flush()
    return agreement


def prompts_for(student: User, today: date, *, as_mentor: bool = True, as_mentee: bool = True) -> list[Prompt]:
    """What the agreement waits for from this student: writing it down with each mentee who has none
    yet (as a mentor), and reading and agreeing it (as a mentee). A side known to hold nothing is not asked."""
    steps = []
    if as_mentor:
        without_agreement = (without_agreement_of(select(Mentorship), student.school_id, student.id)
                             .options(joinedload(Mentorship.mentee)).order_by(Mentorship.began_on, Mentorship.id))
        for mentorship in db.session.scalars(without_agreement):
            steps.append(Prompt(f"Write down your agreement and goals with {mentorship.mentee.given_name}",
                                "goals.agreement", {"mentorship_id": mentorship.id}))
    if as_mentee and db.session.scalar(waiting_for_mentee(student.school_id, student.id).limit(1)) is not None:
        steps.append(Prompt("Read your mentoring agreement and agree to it", "goals.mentee_agreement"))
    return steps


def without_agreement_of(statement: Select, school_id, mentor_id) -> Select:
    """`statement` (of mentorships) narrowed to the mentor's active ones with no agreement written yet."""
    return (statement.outerjoin(Agreement, (Agreement.mentorship_id == Mentorship.id)
                                & (Agreement.school_id == Mentorship.school_id))
            .where(Mentorship.school_id == school_id, Mentorship.mentor_id == mentor_id,
                   Mentorship.status == MentorshipStatus.ACTIVE, Agreement.id.is_(None)))


def waiting_for_mentee(school_id, mentee_id) -> Select:
    """The agreement of the mentee's active mentorship, written by the mentor and not yet agreed by them."""
    return (select(Agreement.id).join(Mentorship, (Mentorship.id == Agreement.mentorship_id)
                                      & (Mentorship.school_id == Agreement.school_id))
            .where(Agreement.school_id == school_id, Mentorship.mentee_id == mentee_id,
                   Mentorship.status == MentorshipStatus.ACTIVE, Agreement.mentor_agreed_at.is_not(None),
                   Agreement.mentee_agreed_at.is_(None)))
