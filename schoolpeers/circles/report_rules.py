"""The circles report of a school year, and the one protection decision over its figures (pure core).

What it shows, from the year's held sessions (a circle's, or an open session's):
- Participation by topic (each circle topic, and open sessions as a topic of their own) and by
  grade band (the student's own): the students who came to at least one session, the sessions
  they came to, their attendances, and their mean attendance rate (each of those students' share of
  the sessions they were expected at: a member of the circle when it was logged, or signed up).
- Mood rounds and feedback by topic and by the circle's band (the grade band that holds every
  grade it is open to, or "Mixed grades"): the mean face tapped (1–5) and the share of feedback
  that said "It helped".
Every table starts with all circles and open sessions together.

How it is protected (`schoolpeers.reports.groups.protect_groups`, with k the school's minimum group
size, at least 5):
1. Each row is a group of students: shown only when it counts at least k of them, and every figure
   of a row is shown or hidden together ("hidden").
2. One decision over every row of every table, made twice: over the students (what their counts and
   rates tell) and over each student's part in each circle or open session (what attendances, mood
   rounds and feedback add up over: the sessions of whole circles). A row is shown only when both
   show it, so no combination of shown rows gives away fewer than k students either way: a circle
   with fewer than k students never makes a row on its own, nor is left for the total less the other
   rows to give (a topic of one small circle is hidden, and so is another row beside it). When more
   must go, the circles' bands go first, then the students' bands, then topics, the total last.
   Nor may the bounds a reader can carry through what adds up (attendances over circles and bands,
   students over bands, at least one attendance per student and one student per hidden row) cap a
   hidden row below k (`report_bounds`): else another row is hidden too.
3. Moods and feedback are anonymous answers, not students': a row's mean mood is shown only when the
   row is shown and its answers are k or more, with no combination of shown rows leaving 1 to k-1
   answers; the share "It helped" likewise, where those who said so and those who did not are groups
   of their own (so "nobody said so" is hidden like "one said so").
4. Counts of students and attendances carry the reports' cell-key noise; a mean mood is rounded to
   one decimal, a share to whole percent, with the reports' codes at the extremes ("≥4.8", "≤5%").
"""
from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np

from schoolpeers.circles.report_bounds import RowFigures, mend_bounds
from schoolpeers.circles.statuses import FEEDBACK_ANSWERS, MOODS
from schoolpeers.reports.groups import protect_groups, published_count
from schoolpeers.reports.perturbation import KEY_SPACE, perturbed, record_keys
from schoolpeers.reports.privacy import EMPTY, HIDDEN, MIN_K, CellStatus, present_cell
from schoolpeers.reports.trends import GradeBand

ALL_SESSIONS = "All circles and open sessions"
OPEN_SESSIONS = "Open sessions"
MIXED_GRADES = "Mixed grades"
HELPED = "helped"
# Which rows go first when more must be hidden (the highest tier first): see rule 2.
TOTAL, TOPIC, STUDENT_BAND, CIRCLE_BAND = 0, 1, 2, 3
ANSWERED_OTHERWISE = 4  # "It helped" answers: hidden before the row's own answers
FAMILIES = {TOTAL: "total", TOPIC: "topic", STUDENT_BAND: "band", CIRCLE_BAND: "circle band"}


@dataclass(frozen=True)
class Attendee:
    """A student expected at a held session (a member when it was logged, or signed up), and whether they came."""

    student: int  # distinct per student, only compared
    key: int  # the student's cell-key contribution (`perturbation.student_key`)
    band: str | None  # the student's own grade band (a label of `band_labels`), None when not known
    present: bool


@dataclass(frozen=True)
class HeldSession:
    session: int  # distinct per session, only compared
    circle: int | None  # distinct per circle, only compared; None for an open session
    topic: str  # the circle's topic, or OPEN_SESSIONS
    band: str  # the band holding every grade it is open to (`band_holding`), or MIXED_GRADES
    day: date
    attendees: tuple[Attendee, ...] = ()
    moods: tuple[tuple[int, int], ...] = ()  # (face 1..5, taps)
    feedback: tuple[tuple[str, int], ...] = ()  # (answer of FEEDBACK_ANSWERS, how many gave it)

    @property
    def unit(self) -> tuple[str, int]:
        """What a student takes part in: their circle, or this open session."""
        return ("circle", self.circle) if self.circle is not None else ("open session", self.session)


@dataclass(frozen=True)
class ParticipationRow:
    label: str
    students: str
    sessions: str
    attendances: str
    attendance_rate: str
    status: CellStatus


@dataclass(frozen=True)
class FeelingRow:
    label: str
    students: str
    mood: str
    helped: str
    status: CellStatus
    mood_status: CellStatus
    helped_status: CellStatus


@dataclass(frozen=True)
class CircleTables:
    by_topic: tuple[ParticipationRow, ...]  # all circles and open sessions first
    by_band: tuple[ParticipationRow, ...]  # the same first row, then the students' own bands
    feelings_by_topic: tuple[FeelingRow, ...]  # all circles and open sessions first
    feelings_by_band: tuple[FeelingRow, ...]  # by the circle's band

    @property
    def rows(self) -> tuple[ParticipationRow | FeelingRow, ...]:
        return (*self.by_topic, *self.by_band, *self.feelings_by_topic, *self.feelings_by_band)


# --- grade bands ---------------------------------------------------------------------------------


def band_labels(bands: Sequence[GradeBand]) -> list[str]:
    return [band.label.capitalize() for band in bands]


def band_of_grade(grade: int | None, bands: Sequence[GradeBand]) -> str | None:
    """The label of the band a student's grade is in; None for no grade, or one outside the bands."""
    if grade is None:
        return None
    return next((band.label.capitalize() for band in bands if band.first_grade <= grade <= band.last_grade), None)


def band_holding(grade_min: int, grade_max: int, bands: Sequence[GradeBand]) -> str:
    """The label of the band holding every grade a circle (or open session) is open to, else "Mixed grades"."""
    return next((band.label.capitalize() for band in bands
                 if band.first_grade <= grade_min and grade_max <= band.last_grade), MIXED_GRADES)


# --- the tables ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Row:
    """One row of a table: the sessions it covers and, for a student band, whose attendance it counts."""

    label: str
    tier: int
    sessions: tuple[HeldSession, ...]
    band: str | None = None  # a students' band row: only their attendance

    def expected(self) -> list[tuple[HeldSession, Attendee]]:
        return [(s, a) for s in self.sessions for a in s.attendees if self.band is None or a.band == self.band]

    def came(self) -> list[tuple[HeldSession, Attendee]]:
        return [(s, a) for s, a in self.expected() if a.present]

    def units(self) -> frozenset[tuple[str, int]] | None:
        """The circles and open sessions a row of whole sessions adds up; None for a students' band."""
        return None if self.band is not None else frozenset(s.unit for s in self.sessions)

    def students(self) -> frozenset[int]:
        return frozenset(a.student for _, a in self.came())

    def parts(self) -> frozenset[tuple[int, tuple[str, int]]]:
        return frozenset((a.student, s.unit) for s, a in self.came())

    def answers(self, kind: str, keep: Callable[[str | int], bool] = lambda _: True) -> frozenset[Hashable]:
        """The row's anonymous answers ("mood" taps or "feedback"), each one member; `keep` picks by answer."""
        return frozenset((kind, s.session, answer, i) for s in self.sessions
                         for answer, many in (s.moods if kind == "mood" else s.feedback) if keep(answer)
                         for i in range(many))


def circle_tables(sessions: Sequence[HeldSession], topics: Sequence[str], bands: Sequence[str],
                  k: int = MIN_K) -> CircleTables:
    """The year's tables from its held sessions: a row for each of `topics` (OPEN_SESSIONS among them,
    where it belongs in the order) and each band label of `bands` (the school's), protected jointly.
    A circle's band may also be MIXED_GRADES, a row of the circles' bands after the others."""
    _check(sessions, topics, bands)
    everything = _Row(ALL_SESSIONS, TOTAL, tuple(sessions))
    by_topic = [_Row(topic, TOPIC, tuple(s for s in sessions if s.topic == topic)) for topic in topics]
    by_band = [_Row(band, STUDENT_BAND, tuple(sessions), band=band) for band in bands]
    by_circle_band = [_Row(band, CIRCLE_BAND, tuple(s for s in sessions if s.band == band))
                      for band in (*bands, MIXED_GRADES)]
    # Rule 2: by students, and by their parts in circles; a row is shown where both show it.
    rows = [everything, *by_topic, *by_band, *by_circle_band]
    tiers = [row.tier for row in rows]
    by_students = protect_groups([row.students() for row in rows], k, tiers)
    by_parts = protect_groups([row.parts() for row in rows], k, tiers, person=lambda part: part[0])
    shown = [a and b for a, b in zip(by_students, by_parts, strict=True)]
    figures = [RowFigures(FAMILIES[row.tier], row.units(), row.band, len(row.students()), len(row.came()))
               for row in rows]
    shown = mend_bounds(figures, shown, k, frozenset(s.unit for s, _ in everything.came()))
    # Rule 3, over the rows of whole sessions (those with moods and feedback), among the rows shown:
    # the total, the topics and the circles' bands.
    whole = [*range(1 + len(by_topic)), *range(len(rows) - len(by_circle_band), len(rows))]
    whole_tiers = [tiers[i] for i in whole]

    def answers(kind: str, keep: Callable[[str | int], bool] = lambda _: True) -> list[frozenset]:
        return [rows[i].answers(kind, keep) if shown[i] else frozenset() for i in whole]

    moods_shown = protect_groups(answers("mood"), k, whole_tiers)
    feedback = protect_groups([*answers("feedback"), *answers("feedback", lambda answer: answer == HELPED)], k,
                              [*whole_tiers, *[ANSWERED_OTHERWISE] * len(whole)])
    helped_shown = [a and b for a, b in zip(feedback[:len(whole)], feedback[len(whole):], strict=True)]
    feelings = [_feeling_row(rows[i], shown[i], mood, helped, k)
                for i, mood, helped in zip(whole, moods_shown, helped_shown, strict=True)]
    participation = [_participation_row(row, show, k) for row, show in zip(rows, shown, strict=True)]
    return CircleTables(
        by_topic=tuple(participation[:1 + len(by_topic)]),
        by_band=(participation[0], *participation[1 + len(by_topic):1 + len(by_topic) + len(by_band)]),
        feelings_by_topic=tuple(feelings[:1 + len(by_topic)]),
        feelings_by_band=tuple(feelings[1 + len(by_topic):]))


def _check(sessions: Sequence[HeldSession], topics: Sequence[str], bands: Sequence[str]) -> None:
    if len(set(topics)) != len(topics) or len({*bands, MIXED_GRADES}) != len(bands) + 1:
        raise ValueError("every topic and band once")
    if len({s.session for s in sessions}) != len(sessions):
        raise ValueError("one row per session")
    for s in sessions:
        if len({a.student for a in s.attendees}) != len(s.attendees):
            raise ValueError("one attendance per student and session")
        if any(face not in MOODS or taps < 0 for face, taps in s.moods):
            raise ValueError(f"a mood round counts taps of the faces {sorted(MOODS)}")
        if any(answer not in FEEDBACK_ANSWERS or many < 0 for answer, many in s.feedback):
            raise ValueError(f"feedback counts the answers {sorted(FEEDBACK_ANSWERS)}")


def _participation_row(row: _Row, show: bool, k: int) -> ParticipationRow:
    came = row.came()
    if not came:
        return ParticipationRow(row.label, "0", "0", "0", EMPTY, CellStatus.EMPTY)
    if not show:
        return ParticipationRow(row.label, HIDDEN, HIDDEN, HIDDEN, HIDDEN, CellStatus.HIDDEN)
    expected: dict[int, int] = {}
    present: dict[int, int] = {}
    for _, a in row.expected():
        expected[a.student] = expected.get(a.student, 0) + 1
        present[a.student] = present.get(a.student, 0) + a.present
    rate = float(np.mean([present[s] / expected[s] for s in present if present[s]]))
    keys = {a.student: a.key for _, a in came}
    return ParticipationRow(
        row.label, str(published_count(list(keys.values()), "circles:students", k)),
        str(len({s.session for s, _ in came})), str(_published_attendances(came, k)),
        present_cell("share", rate, False)[0], CellStatus.SHOWN)


def _published_attendances(came: list[tuple[HeldSession, Attendee]], k: int) -> int:
    """Attendances with the noise of their set: each keyed by its student and its day, as check-ins are."""
    keys = record_keys(np.array([a.key for _, a in came], dtype=np.uint64),
                       np.array([s.day for s, _ in came], dtype="datetime64[D]"))
    cell_key = int(sum(int(key) for key in keys) % KEY_SPACE)
    return int(perturbed(np.array([len(came)]), np.array([cell_key], dtype=np.uint64), "circles:attendances",
                         floor=k)[0])


def _feeling_row(row: _Row, show: bool, mood_shown: bool, helped_shown: bool, k: int) -> FeelingRow:
    came = row.came()
    if not came:
        return FeelingRow(row.label, "0", EMPTY, EMPTY, CellStatus.EMPTY, CellStatus.EMPTY, CellStatus.EMPTY)
    if not show:
        return FeelingRow(row.label, HIDDEN, HIDDEN, HIDDEN, *[CellStatus.HIDDEN] * 3)
    taps = [(face, many) for s in row.sessions for face, many in s.moods]
    given = [(answer, many) for s in row.sessions for answer, many in s.feedback]
    tapped, answered = sum(many for _, many in taps), sum(many for _, many in given)
    mood = _figure("mean", sum(face * many for face, many in taps) / tapped if tapped else None, mood_shown)
    helped = _figure("share", sum(many for answer, many in given if answer == HELPED) / answered if answered else None,
                     helped_shown)
    students = str(published_count(list({a.student: a.key for _, a in came}.values()), "circles:students", k))
    return FeelingRow(row.label, students, mood[0], helped[0], CellStatus.SHOWN, mood[1], helped[1])


def _figure(kind: str, value: float | None, shown: bool) -> tuple[str, CellStatus]:
    """A mean or share as the page shows it: "–" without answers, "hidden" where not shown."""
    if value is None:
        return EMPTY, CellStatus.EMPTY
    text, _, status = present_cell(kind, value, not shown)
    return text, status
