"""The well-being questionnaire a mentee answers at the start and at the end of a mentorship (pure core).

The scale is the WHO-5 Well-Being Index, chosen for what can honestly be built into this software:
- It may be used freely, without asking permission or paying (its owners, the Psychiatric Centre
  North Zealand, publish it for all interested parties), provided its wording is not altered without
  saying so. Its items and answers below are the English version word for word.
- It is validated in adolescents (from about 9 years up; e.g. de Wit et al. 2007, Blom et al. 2012)
  and adults alike, so one scale serves grades 6 to 12 (ages 11 to 18) and a change between its two
  answers means the same thing in every grade.
- The alternatives were not: the Stirling Children's Wellbeing Scale covers ages 8 to 15 only (our
  grades 11 and 12 are older), and the (Short) Warwick-Edinburgh Mental Wellbeing Scale is licensed,
  with registration, and a commercial licence for a product that offers it to schools.

Scoring (Topp et al. 2015): each answer counts 0 to 5, the five added make 0 to 25, times four a
percentage, 0 (worst imaginable well-being) to 100 (best). 50 or below suggests poor well-being; 28
or below is the usual point for a closer look at possible depression: here, a counselor's.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    """A validated questionnaire: its items, the answers each takes (value, words; shown in this
    order), how its raw score becomes 0..100, and what a very low score is."""

    key: str  # stored in OutcomeMeasure.scale
    name: str
    introduction: str  # the words before the items, as the scale has them
    items: tuple[str, ...]
    options: tuple[tuple[int, str], ...]
    multiplier: int  # raw sum times this is the score of 0..100
    worrying_at_most: int  # a raw score at or below this one asks for a counselor's look
    citation: str
    licence: str

    @property
    def values(self) -> frozenset[int]:
        return frozenset(value for value, _ in self.options)

    @property
    def raw_max(self) -> int:
        return len(self.items) * max(self.values)

    def label_of(self, value: int) -> str:
        return dict(self.options)[value]


class AnswersRefused(ValueError):
    """Answers that do not fit the scale: `position` (0-based) names the first item that is wrong."""

    def __init__(self, position: int, message: str):
        super().__init__(message)
        self.position = position


WHO5 = Scale(
    key="who5",
    name="WHO-5 Well-Being Index",
    introduction="Over the last two weeks:",
    items=(
        "I have felt cheerful and in good spirits",
        "I have felt calm and relaxed",
        "I have felt active and vigorous",
        "I woke up feeling fresh and rested",
        "My daily life has been filled with things that interest me",
    ),
    options=(
        (5, "All of the time"),
        (4, "Most of the time"),
        (3, "More than half of the time"),
        (2, "Less than half of the time"),
        (1, "Some of the time"),
        (0, "At no time"),
    ),
    multiplier=4,
    worrying_at_most=7,
    citation=("World Health Organization, Regional Office for Europe (1998). Wellbeing Measures in Primary "
              "Health Care: The DepCare Project. Topp C.W., Østergaard S.D., Søndergaard S., Bech P. (2015). "
              "The WHO-5 Well-Being Index: a systematic review of the literature. Psychotherapy and "
              "Psychosomatics 84(3), 167–176."),
    licence=("WHO-5 © Psychiatric Centre North Zealand (Mental Health Services, Capital Region of Denmark); "
             "free to use without permission. English version, wording unaltered."),
)
SCALES = {WHO5.key: WHO5}
CURRENT = WHO5  # what a new answer is asked with; older answers keep the key they were given


def validated(scale: Scale, answers: Sequence[object]) -> list[int]:
    """The answers as whole numbers, one per item, each one of the scale's values; else refused."""
    if len(answers) != len(scale.items):
        missing = len(answers) if len(answers) < len(scale.items) else len(scale.items) - 1
        raise AnswersRefused(missing, "Answer each question: choose the words closest to how it has been.")
    clean = []
    for position, answer in enumerate(answers):
        if isinstance(answer, bool) or not isinstance(answer, int | str):
            raise AnswersRefused(position, "Choose one of the answers.")
        text = str(answer).strip()
        if not text.lstrip("-").isdigit() or int(text) not in scale.values:
            raise AnswersRefused(position, "Choose one of the answers.")
        clean.append(int(text))
    return clean


def raw_score(scale: Scale, answers: Sequence[int]) -> int:
    return sum(validated(scale, answers))


def score(scale: Scale, answers: Sequence[int]) -> int:
    """The score of 0..100 stored with the answers."""
    return raw_score(scale, answers) * scale.multiplier


def is_worrying(scale: Scale, answers: Sequence[int]) -> bool:
    """A score low enough for a counselor to have a look (WHO-5: raw 7 or below, 28 or below of 100)."""
    return raw_score(scale, answers) <= scale.worrying_at_most
