"""The rules of a mentorship's ending on plain values: what a goodbye message and an exit survey may
hold, which step of the walk comes next, and how long the mentee's ending page stays open.

Pure: no Flask, no SQLAlchemy (the services in `closure.py` apply these to the records)."""
from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from schoolpeers.refusals import FieldRefusal

MAX_GOODBYE = 1000
MAX_COMMENT = 1000
# The mentee's ending page (their questions, the goodbye message) stays open this many days after
# the mentorship ended; the goodbye message itself stays theirs (until the school's retention period).
ENDING_STAYS_OPEN = 30

# A goodbye message is warm words, not a way to keep in touch outside the programme: mentors learn
# in training not to swap contact details, so links, email addresses, phone numbers and social media
# handles are refused.
_CONTACT_PATTERNS = (
    re.compile(r"(?i)\b(?:https?://|www\.)\S"),
    re.compile(r"(?i)\b[a-z0-9][\w-]*\.(?:com|net|org|io)\b"),
    re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"),
    re.compile(r"(?<![\w@])@[A-Za-z0-9_.]{2,}"),
    re.compile(r"\d(?:[\s().-]*\d){8,}"),  # nine digits or more: a phone number, not "2025-2026"
)


class ClosureError(FieldRefusal):
    """A step of the ending refused: bad answers, or a step that is not (or no longer) open."""


def has_contact_details(text: str) -> bool:
    """Whether the text holds a link, an email address, a phone number or a social media handle."""
    return any(pattern.search(text) for pattern in _CONTACT_PATTERNS)


def checked_goodbye(text: str | None) -> str:
    """The goodbye message as it is kept (trimmed), or a refusal next to the field `message`."""
    message = (text or "").strip()
    if not message:
        raise ClosureError("message", "Write a few words for your mentee.")
    if len(message) > MAX_GOODBYE:
        raise ClosureError("message", f"At most {MAX_GOODBYE:,} characters: you wrote {len(message):,}.")
    if has_contact_details(message):
        raise ClosureError("message", "Keep it to your own words: no links, email addresses, phone numbers "
                                      "or social media names. Goodbyes stay inside the programme.")
    return message


@dataclass(frozen=True)
class SurveyAnswers:
    """One side's exit survey: how they got on (1-5), how much it helped (1-5), whether they would
    recommend it (mentee) or mentor again (mentor), what helped, and an optional comment."""

    got_on: int | None
    helped: int | None
    recommend: str | None
    what_helped: tuple[str, ...] = ()
    comment: str = ""


def checked_survey(answers: SurveyAnswers, recommend_choices: Collection[str],
                   helped_choices: Iterable[str]) -> SurveyAnswers:
    """The answers as they are kept (what helped in the order of the list, once each; the comment
    trimmed), or a refusal next to the first field that is wrong."""
    for name in ("got_on", "helped"):
        value = getattr(answers, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise ClosureError(name, "Choose a number from 1 to 5.")
    if answers.recommend not in recommend_choices:
        raise ClosureError("recommend", "Choose one of the answers.")
    order = list(helped_choices)
    unknown = set(answers.what_helped) - set(order)
    if unknown:
        raise ClosureError("what_helped", "Choose from the list.")
    comment = (answers.comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ClosureError("comment", f"At most {MAX_COMMENT:,} characters.")
    chosen = set(answers.what_helped)
    return SurveyAnswers(answers.got_on, answers.helped, answers.recommend,
                         tuple(key for key in order if key in chosen), comment)


@dataclass(frozen=True)
class Walk:
    """Which steps of an ending are done."""

    meeting: bool = False  # the closing meeting is logged
    goodbye: bool = False  # the mentor wrote their goodbye message
    mentor_survey: bool = False
    mentee_survey: bool = False
    end_questionnaire: bool = False  # the mentee's end-of-mentorship well-being questionnaire

    def mentor_next(self) -> str | None:
        """The mentor's next step ("meeting", "goodbye", "survey"), in the order the page lists
        them, or None when they have done their part."""
        for step, done in (("meeting", self.meeting), ("goodbye", self.goodbye), ("survey", self.mentor_survey)):
            if not done:
                return step
        return None

    @property
    def done(self) -> int:
        return sum((self.meeting, self.goodbye, self.mentor_survey, self.mentee_survey, self.end_questionnaire))


def ending_open(active: bool, ended_on: date | None, today: date) -> bool:
    """Whether the mentee's ending page is open: while the mentorship is active (once an ending is
    begun), and for `ENDING_STAYS_OPEN` days after the day it ended (dates at the school)."""
    if active:
        return True
    return ended_on is not None and (today - ended_on).days <= ENDING_STAYS_OPEN


def first_open_day(today: date) -> date:
    """The earliest day a mentorship may have ended on for its ending page to be open today."""
    return today - timedelta(days=ENDING_STAYS_OPEN)


def label_list(keys: Iterable[str], labels: Mapping[str, str]) -> list[str]:
    """The labels of the keys, skipping any the list no longer knows."""
    return [labels[key] for key in keys if key in labels]
