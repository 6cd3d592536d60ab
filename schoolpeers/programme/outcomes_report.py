"""The outcomes report of a school year, and the one protection decision over its figures (pure core).

What it shows:
- Paired change: mentees who answered the well-being questionnaire (`scales`) both at the start and
  at the end of a mentorship whose end answer falls in the year (one pair per student: the latest),
  for all grades, by grade band (the reports' bands, by the grade at the start answer) and by goal
  area (the areas of the pair's goals; a student with goals in two areas counts in both): the
  number of students, mean score at the start, at the end, and the mean change.
- Programme satisfaction from the year's exit surveys, per side (mentees, mentors): respondents,
  mean "got on" and "helped" (1–5), the share who would recommend it (mentees) or mentor again
  (mentors), and the share who named each thing that helped.

How it is protected (`schoolpeers.reports.groups.protect_groups`, with k the school's minimum group
size, at least 5), the reports' rules carried over to groups that overlap:
1. A group is shown only when it counts at least k distinct students (surveys: respondents). Every
   figure of a group is shown or hidden together, and every hidden one reads "hidden".
2. No combination of published figures gives away fewer than k students: one decision over every
   group of a table (goal areas overlap each other, the bands and the total), goal areas hidden
   before bands before the total when more must go.
3. Counts carry the reports' cell-key noise (`perturbation`: the same set of students always the
   same noise, never below k); means are rounded to one decimal; a mean score of 5 or below or 95
   or above reads "≤5.0" / "≥95.0", a share "≤5%" / "≥95%", as the reports code extremes.
4. A survey's "what helped" and "would recommend" are groups of respondents too (so "nobody said
   so" is hidden like "one said so"), protected jointly with all respondents of the side.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from schoolpeers.reports.groups import protect_groups, published_count
from schoolpeers.reports.privacy import EMPTY, HIDDEN, MIN_K, CellStatus, present_cell
from schoolpeers.reports.trends import GradeBand

ALL_GRADES = "All grades"
SCORE_CODES = ((5.0, "≤5.0"), (95.0, "≥95.0"))  # a mean score this near an end says nearly everyone's


@dataclass(frozen=True)
class Pair:
    """One student's start and end answers: scores of 0..100."""

    student: int  # distinct per student, only compared
    key: int  # the student's cell-key contribution (`perturbation.student_key`)
    grade: int | None  # at the start answer
    areas: frozenset[str]
    start: int
    end: int


@dataclass(frozen=True)
class SurveyAnswer:
    """One respondent's exit survey of the year (the latest, where they answered more than one)."""

    respondent: int
    key: int
    side: str  # "mentee" or "mentor"
    got_on: int
    helped: int
    recommend: str
    what_helped: frozenset[str]


@dataclass(frozen=True)
class ChangeRow:
    label: str
    students: str
    start: str
    end: str
    change: str
    status: CellStatus


@dataclass(frozen=True)
class ChangeTables:
    total: ChangeRow
    bands: tuple[ChangeRow, ...]
    areas: tuple[ChangeRow, ...]

    @property
    def by_grade(self) -> tuple[ChangeRow, ...]:
        return (self.total, *self.bands)

    @property
    def rows(self) -> tuple[ChangeRow, ...]:
        return (*self.by_grade, *self.areas)


@dataclass(frozen=True)
class SideSurvey:
    side: str
    respondents: str
    got_on: str
    helped: str
    recommend: str
    what_helped: tuple[tuple[str, str], ...]  # (option, share shown)
    status: CellStatus


# --- paired change -------------------------------------------------------------------------------


def band_of(grade: int | None, bands: Sequence[GradeBand]) -> str | None:
    if grade is None:
        return None
    return next((b.label for b in bands if b.first_grade <= grade <= b.last_grade), None)


def change_tables(pairs: Sequence[Pair], bands: Sequence[GradeBand], areas: dict[str, str],
                  k: int = MIN_K) -> ChangeTables:
    """Paired change for all grades, by band and by goal area (`areas`: key -> label), protected
    jointly (one decision over every row)."""
    if len({p.student for p in pairs}) != len(pairs):
        raise ValueError("one pair per student")
    rows: list[tuple[str, list[Pair]]] = [(ALL_GRADES, list(pairs))]
    rows += [(band.label.capitalize(), [p for p in pairs if band_of(p.grade, bands) == band.label]) for band in bands]
    rows += [(label, [p for p in pairs if area in p.areas]) for area, label in areas.items()]
    tiers = [0] + [1] * len(bands) + [2] * len(areas)  # areas go before bands, bands before the total
    shown = protect_groups([frozenset(p.student for p in members) for _, members in rows], k, tiers)
    presented = [_change_row(label, members, show, k) for (label, members), show in zip(rows, shown, strict=True)]
    return ChangeTables(presented[0], tuple(presented[1:1 + len(bands)]), tuple(presented[1 + len(bands):]))


def _change_row(label: str, members: list[Pair], show: bool, k: int) -> ChangeRow:
    if not members:
        return ChangeRow(label, "0", EMPTY, EMPTY, EMPTY, CellStatus.EMPTY)
    if not show:
        return ChangeRow(label, HIDDEN, HIDDEN, HIDDEN, HIDDEN, CellStatus.HIDDEN)
    start = float(np.mean([p.start for p in members]))
    end = float(np.mean([p.end for p in members]))
    change = float(np.mean([p.end - p.start for p in members]))
    return ChangeRow(label, str(published_count([p.key for p in members], "outcomes:students", k)),
                     score_text(start), score_text(end), f"{round(change, 1):+.1f}", CellStatus.SHOWN)


def score_text(mean: float) -> str:
    value = round(mean, 1)
    (low, low_label), (high, high_label) = SCORE_CODES
    if value <= low:
        return low_label
    if value >= high:
        return high_label
    return f"{value:.1f}"


# --- exit surveys --------------------------------------------------------------------------------


def survey_tables(answers: Sequence[SurveyAnswer], sides: dict[str, str], options: dict[str, str],
                  k: int = MIN_K) -> tuple[SideSurvey, ...]:
    """Satisfaction per side (`sides`: key -> label; `options`: what could have helped), each side
    protected on its own: no figure is published over both sides together."""
    tables = []
    for side, label in sides.items():
        given = [a for a in answers if a.side == side]
        if len({a.respondent for a in given}) != len(given):
            raise ValueError("one survey per respondent and side")
        everyone = frozenset(a.respondent for a in given)
        recommending = frozenset(a.respondent for a in given if a.recommend == "yes")
        ticked = [frozenset(a.respondent for a in given if option in a.what_helped) for option in options]
        shown = protect_groups([everyone, recommending, *ticked], k, [0] + [1] * (1 + len(ticked)))
        tables.append(_side(label, given, shown, [recommending, *ticked], list(options.values()), k))
    return tuple(tables)


def _side(label: str, given: list[SurveyAnswer], shown: list[bool], parts: list[frozenset],
          option_labels: list[str], k: int) -> SideSurvey:
    if not given:
        return SideSurvey(label, "0", EMPTY, EMPTY, EMPTY, tuple((o, EMPTY) for o in option_labels), CellStatus.EMPTY)
    if not shown[0]:
        return SideSurvey(label, HIDDEN, HIDDEN, HIDDEN, HIDDEN, tuple((o, HIDDEN) for o in option_labels),
                          CellStatus.HIDDEN)
    n = len(given)
    shares = [present_cell("share", len(part) / n, not show)[0] for part, show in zip(parts, shown[1:], strict=True)]
    return SideSurvey(
        label, str(published_count([a.key for a in given], f"outcomes:survey:{label}", k)),
        present_cell("mean", float(np.mean([a.got_on for a in given])), False)[0],
        present_cell("mean", float(np.mean([a.helped for a in given])), False)[0],
        shares[0], tuple(zip(option_labels, shares[1:], strict=True)), CellStatus.SHOWN)
