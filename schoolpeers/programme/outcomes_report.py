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

How it is protected (`protect_groups`, with k the school's minimum group size, at least 5), the
reports' rules (`schoolpeers.reports.privacy`) carried over to groups that overlap:
1. A group is shown only when it counts at least k distinct students (surveys: respondents). Every
   figure of a group is shown or hidden together, and every hidden one reads "hidden".
2. No combination of published figures gives away fewer than k students. Bands partition the
   total; goal areas overlap each other, the bands and the total, so "the total less one area"
   or "an area less a band" could isolate a student who is in one group but not the other. So the
   decision is made jointly over every group of a table: students with the same membership of the
   shown groups form a class, and every sum a reader can work out from the shown groups (adding
   and subtracting them in any way) is a sum over whole classes. No sum over classes counting 1 to
   k-1 students may be one of those; while one is, the shown group whose hiding mends most (the
   one counting fewest students first, goal areas before bands before the total) is hidden too.
   A single hidden band is so never left to be worked out as the total less the other bands. A
   hidden group that the shown ones give exactly, and that counts k or more, is shown: it tells
   nothing more.
3. Counts carry the reports' cell-key noise (`perturbation`: the same set of students always the
   same noise, never below k); means are rounded to one decimal; a mean score of 5 or below or 95
   or above reads "≤5.0" / "≥95.0", a share "≤5%" / "≥95%", as the reports code extremes.
4. A survey's "what helped" and "would recommend" are groups of respondents too (so "nobody said
   so" is hidden like "one said so"), protected jointly with all respondents of the side.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral

import numpy as np

from schoolpeers.reports.perturbation import KEY_SPACE, perturbed
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


# --- the protection decision ---------------------------------------------------------------------


def protect_groups(groups: Sequence[frozenset], k: int = MIN_K, tiers: Sequence[int] | None = None) -> list[bool]:
    """Which groups (sets of students, any overlap) may be shown: each counts at least k, and no
    sum a reader can work out from the shown ones (any combination of them) covers 1 to k-1
    students. See rule 2 of the module docstring.

    `tiers` say what goes first when more must be hidden: the highest tier that is part of the
    problem first (goal areas before grade bands before the total), so the headline figures stay.
    Within a tier, the group whose hiding mends most, counting fewest students of equals."""
    if not isinstance(k, Integral) or isinstance(k, bool) or k < MIN_K:
        raise ValueError(f"k must be a whole number of students, at least {MIN_K}; got {k!r}")
    groups = [frozenset(g) for g in groups]
    tiers = list(tiers) if tiers is not None else [0] * len(groups)
    if len(tiers) != len(groups):
        raise ValueError("one tier per group")
    shown = [len(g) >= k for g in groups]
    while (exposed := _exposed(groups, shown, k)) > 0:
        shown[_next_to_hide(groups, shown, tiers, k, exposed)] = False
    students = sorted(set().union(*groups)) if groups else []
    for i, group in enumerate(groups):
        if not shown[i] and len(group) >= k and _derivable(groups, shown, group, students):
            shown[i] = True  # the shown groups give it exactly already: showing it tells nothing new
    return shown


def _next_to_hide(groups: list[frozenset], shown: list[bool], tiers: list[int], k: int, exposed: int) -> int:
    """The group to hide next: from the highest tier whose groups (with those of higher tiers)
    would mend anything if all were hidden, the one whose hiding alone mends most, the smallest of
    equals. Hiding every group mends everything, so some tier always qualifies."""
    for tier in sorted({tiers[i] for i, s in enumerate(shown) if s}, reverse=True):
        without = [s and tiers[i] < tier for i, s in enumerate(shown)]
        if _exposed(groups, without, k) >= exposed:
            continue  # these tiers are not what gives students away
        options = []
        for i in (i for i, s in enumerate(shown) if s and tiers[i] == tier):
            trial = shown.copy()
            trial[i] = False
            options.append((_exposed(groups, trial, k), len(groups[i]), i))
        return min(options)[2]
    raise AssertionError("hiding every group mends everything")


def _classes(groups: list[frozenset], shown: list[bool]) -> tuple[np.ndarray, np.ndarray]:
    """Shown groups × classes (students with the same membership of the shown groups), 0/1, and
    the students in each class. Students in no shown group are in no published figure: left out."""
    visible = [g for g, s in zip(groups, shown, strict=True) if s]
    signatures: dict[tuple[bool, ...], int] = {}
    for student in set().union(*visible) if visible else ():
        signature = tuple(student in g for g in visible)
        signatures[signature] = signatures.get(signature, 0) + 1
    if not signatures:
        return np.zeros((len(visible), 0)), np.zeros(0, dtype=int)
    keys = list(signatures)
    return np.array(keys, dtype=float).T, np.array([signatures[s] for s in keys])


def _exposed(groups: list[frozenset], shown: list[bool], k: int) -> int:
    """How far the shown groups are from safe: 0 when no sum over classes counting 1 to k-1 students
    can be worked out from them. A sum over a set of classes can be worked out exactly when its
    indicator is orthogonal to the null space of the groups × classes matrix; a set counting fewer
    than k is made of small classes only, and none of their null-space rows sum to zero while those
    rows are linearly independent. The count is how many of them are not."""
    matrix, sizes = _classes(groups, shown)
    small = np.flatnonzero(sizes < k)
    if not len(small):
        return 0
    _, singular, vt = np.linalg.svd(matrix, full_matrices=True)
    rank = int((singular > 1e-9).sum())
    null = vt[rank:].T  # classes × dimensions of the null space
    if null.shape[1] == 0:
        return len(small)  # every class is given exactly
    return len(small) - int(np.linalg.matrix_rank(null[small], tol=1e-9))


def _derivable(groups: list[frozenset], shown: list[bool], group: frozenset, students: list) -> bool:
    """Whether the group's sum is a combination of the shown groups' sums."""
    visible = [g for g, s in zip(groups, shown, strict=True) if s]
    if not visible:
        return False
    rows = np.array([[s in g for s in students] for g in visible], dtype=float)
    target = np.array([[s in group for s in students]], dtype=float)
    return np.linalg.matrix_rank(np.vstack([rows, target])) == np.linalg.matrix_rank(rows)


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


def published_count(keys: Sequence[int], measure: str, k: int) -> int:
    """The count of these students as published: with the cell-key noise of their set, never below k."""
    cell_key = sum(int(key) for key in keys) % KEY_SPACE
    return int(perturbed(np.array([len(keys)]), np.array([cell_key], dtype=np.uint64), measure, floor=k)[0])


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
