"""Who needs a family's consent to take part, and where a student stands (pure core).

A school sets a rule for mentees and one for mentors: consent not required, opt-out (families are
told and may decline) or opt-in (a family must agree). Younger students (under 13 by their birth
date; by their grade when the school has not sent one) follow the younger-students rule when it is
stricter.

Every guardian's answers are kept as events; what counts is each one's latest. One family member
declining or withdrawing is enough to stop; one agreeing is enough to go ahead under opt-in.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

# Grades whose students are mostly under 13 at the start of a school year (grade 7: 12 turning 13).
YOUNGEST_TEEN_GRADE = 8
TEEN_AGE = 13


class Rule(StrEnum):
    NOT_REQUIRED = "not_required"
    OPT_OUT = "opt_out"
    OPT_IN = "opt_in"

    @property
    def label(self) -> str:
        return RULE_LABELS[self]


RULE_LABELS = {
    Rule.NOT_REQUIRED: "Not required",
    Rule.OPT_OUT: "Opt-out: families are told and may decline",
    Rule.OPT_IN: "Opt-in: a family must agree first",
}
_STRICTNESS = {Rule.NOT_REQUIRED: 0, Rule.OPT_OUT: 1, Rule.OPT_IN: 2}


class Decision(StrEnum):
    GIVEN = "given"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class Standing(StrEnum):
    """Where a student stands; `may_take_part` says whether they can be matched."""

    NOT_NEEDED = "not_needed"
    GIVEN = "given"
    NOT_DECLINED = "not_declined"  # opt-out: told, has not declined
    WAITING = "waiting"  # opt-in: nobody has agreed yet
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"

    @property
    def may_take_part(self) -> bool:
        return self in (Standing.NOT_NEEDED, Standing.GIVEN, Standing.NOT_DECLINED)

    @property
    def label(self) -> str:
        return STANDING_LABELS[self]


STANDING_LABELS = {
    Standing.NOT_NEEDED: "Consent not needed",
    Standing.GIVEN: "Consent given",
    Standing.NOT_DECLINED: "Not declined (opt-out)",
    Standing.WAITING: "Waiting for consent",
    Standing.DECLINED: "Family declined",
    Standing.WITHDRAWN: "Consent withdrawn",
}


@dataclass(frozen=True)
class Answer:
    """One recorded answer: who (any key of the person: a guardian's id, a name), what, when."""

    guardian_id: int | str | None
    decision: Decision
    at: datetime
    order: int = 0  # the event's id: breaks ties between answers recorded in the same instant


def age_on(birth_date: date, today: date) -> int:
    """Completed years on `today` (someone born on 29 February turns a year older on 1 March)."""
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


def is_younger(grade: int | None, birth_date: date | None = None, today: date | None = None) -> bool:
    """Under 13: by the birth date when known; else by a grade below 8; with neither, assume so."""
    if birth_date is not None and today is not None:
        return age_on(birth_date, today) < TEEN_AGE
    return grade is None or grade < YOUNGEST_TEEN_GRADE


def rule_for(role_rule: Rule, younger_rule: Rule, grade: int | None, birth_date: date | None = None,
             today: date | None = None) -> Rule:
    """The rule a student follows: their role's, or the younger students' one where stricter."""
    if is_younger(grade, birth_date, today) and _STRICTNESS[Rule(younger_rule)] > _STRICTNESS[Rule(role_rule)]:
        return Rule(younger_rule)
    return Rule(role_rule)


def standing(rule: Rule, answers: Iterable[Answer]) -> Standing:
    """Where a student following `rule` stands, given every answer recorded for them."""
    latest: dict[int | None, Answer] = {}
    for answer in sorted(answers, key=lambda a: (a.at, a.order)):
        latest[answer.guardian_id] = answer
    decisions = {Decision(a.decision) for a in latest.values()}
    if Rule(rule) == Rule.NOT_REQUIRED:
        return Standing.NOT_NEEDED
    if Decision.WITHDRAWN in decisions:
        return Standing.WITHDRAWN
    if Decision.DECLINED in decisions:
        return Standing.DECLINED
    if Decision.GIVEN in decisions:
        return Standing.GIVEN
    return Standing.WAITING if Rule(rule) == Rule.OPT_IN else Standing.NOT_DECLINED
