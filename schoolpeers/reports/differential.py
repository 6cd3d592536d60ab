"""Differential privacy for reports, the option a school (or its district) can choose instead of cell
keys (pure core: OpenDP, numpy and pandas).

Under this option a school publishes, once per closed term and once per closed school year, noisy
counts per grade made by OpenDP's Laplace mechanism on integers, and nothing finer: weeks and months
would need far more noise than their small groups can bear. From each release:
- per grade: distinct students, check-ins, the sum of well-being ratings and the count of low
  ratings (1–2), each student's check-ins limited to `CHECKINS_PER_STUDENT` for the period (the
  first ones), so one student changes any count by a known bound;
- bands and the whole school are sums of the noisy grades, and means and shares are ratios of
  noisy figures: computed from the release, they spend no more of the budget;
- a cell of fewer than k students by its noisy count is hidden, as in every report (its noisy
  figure could be worked out from the others, and needs no more protection than they have).

The budget: a school sets ε per school year; each release of a term spends ε/(terms + 1) and the
release of the year the same, split evenly over the four counts. A student is in one grade, so
the vector of grade counts changes by at most 1 student (the checkins bound for the others) when a
student is added or removed: that is the sensitivity OpenDP is given, and it checks that the noise
scale meets the share of ε. A release is stored and never made again, so asking again learns
nothing new; a check-in corrected after its period was released does not change that release.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from schoolpeers.lazy import LazyModule
from schoolpeers.reports.lattice import Row
from schoolpeers.reports.privacy import (
    MEASURES,
    ProtectedLattice,
    ProtectedLevel,
    concern_table,
    grid,
    present_cell,
)
from schoolpeers.reports.trends import LOW_WELLBEING, PeriodSlot

pd = LazyModule("pandas")

CHECKINS_PER_STUDENT = 15  # in one term or year release; about one a week
RATING_MAX = 5
COUNTS = ("students", "checkins", "wellbeing_sum", "low_count")
SENSITIVITY = {"students": 1, "checkins": CHECKINS_PER_STUDENT, "wellbeing_sum": RATING_MAX * CHECKINS_PER_STUDENT,
               "low_count": CHECKINS_PER_STUDENT}
EPSILON_RANGE = (0.1, 10.0)
RELEASE_LEVELS = ("term", "year")  # what a release covers
RELEASE_MEASURES = ("students", "checkins", "wellbeing_mean", "low_share")  # what a page shows of a release


@dataclass(frozen=True)
class Release:
    """The noisy counts of one closed period, per grade, and the ε it spent."""

    period: PeriodSlot
    epsilon: float
    grades: dict[int, dict[str, int]]  # grade -> count name -> noisy count


def release_epsilon(epsilon_per_year: float, terms_per_year: int) -> float:
    """The ε one release spends: the year's budget over its terms and the year itself."""
    return epsilon_per_year / (terms_per_year + 1)


def exact_counts(checkins: pd.DataFrame, grades: range) -> dict[str, np.ndarray]:
    """Per grade of `grades`, the four counts of these check-ins (of one period), each student's
    check-ins limited to the first `CHECKINS_PER_STUDENT`."""
    kept = checkins.sort_values("occurred_on", kind="stable")
    kept = kept[kept.groupby("mentee_key").cumcount() < CHECKINS_PER_STUDENT]
    kept = kept[kept["grade"].isin(list(grades))]
    by_grade = kept.assign(low=kept["wellbeing"] <= LOW_WELLBEING).groupby("grade").agg(
        students=("mentee_key", "nunique"), checkins=("mentee_key", "size"),
        wellbeing_sum=("wellbeing", "sum"), low_count=("low", "sum"))
    by_grade = by_grade.reindex(list(grades), fill_value=0)
    return {name: by_grade[name].to_numpy(dtype=np.int64) for name in COUNTS}


def noisy_release(checkins: pd.DataFrame, period: PeriodSlot, grades: range, epsilon: float) -> Release:
    """One release: the period's exact counts per grade, each through OpenDP's integer Laplace
    mechanism with the scale that spends a quarter of `epsilon`."""
    if not 0 < epsilon <= EPSILON_RANGE[1]:
        raise ValueError(f"epsilon out of range: {epsilon!r}")
    exact = exact_counts(checkins, grades)
    share = epsilon / len(COUNTS)
    noisy = {}
    for name in COUNTS:
        mechanism = _laplace(scale=SENSITIVITY[name] / share)
        if mechanism.map(SENSITIVITY[name]) > share * (1 + 1e-9):  # OpenDP's own accounting agrees
            raise AssertionError(f"{name}: the release would spend more than its share of ε")
        noisy[name] = np.asarray(mechanism([int(v) for v in exact[name]]), dtype=np.int64)
    return Release(period, epsilon, {g: {name: int(noisy[name][i]) for name in COUNTS}
                                     for i, g in enumerate(grades)})


def _laplace(scale: float):
    """OpenDP's integer Laplace mechanism on a vector of counts. OpenDP is loaded here, when a school
    that chose differential privacy first asks for a report, not when the app starts."""
    from opendp.domains import atom_domain, vector_domain
    from opendp.measurements import make_laplace
    from opendp.metrics import l1_distance
    from opendp.mod import enable_features

    enable_features("contrib")
    return make_laplace(vector_domain(atom_domain(T=int)), l1_distance(T=int), scale=scale)


def expected_error(epsilon: float, name: str) -> float:
    """The mean absolute noise of a count of one grade in a release of this ε: the Laplace scale."""
    return SENSITIVITY[name] / (epsilon / len(COUNTS))


def published_lattice(releases: list[Release], rows: tuple[Row, ...], k: int, notice: str) -> ProtectedLattice:
    """What the releases publish, as a lattice of terms and school years: grades as released, bands
    and the school as sums of their grades, means and shares as ratios of noisy counts."""
    levels = {}
    for level in RELEASE_LEVELS:
        chosen = sorted((r for r in releases if _level_of(r) == level), key=lambda r: r.period.start)
        counts = {name: np.array([[sum(r.grades.get(g, {}).get(name, 0) for g in row.grades) for r in chosen]
                                  for row in rows], dtype=float).reshape(len(rows), len(chosen))
                  for name in COUNTS}
        checkins = np.maximum(counts["checkins"], 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            figures = {
                "students": np.maximum(counts["students"], 0),
                "checkins": checkins,
                "wellbeing_mean": np.where(checkins > 0, np.clip(counts["wellbeing_sum"] / checkins, 1, 5), np.nan),
                "low_share": np.where(checkins > 0, np.clip(counts["low_count"] / checkins, 0, 1), np.nan),
            }
        # As everywhere in reports, no figure is shown for fewer than k students, here by the noisy
        # count. The school minus the other grades still gives that noisy count: it is a released
        # figure, which differential privacy protects already; hiding it spares a reader a tiny group.
        few = (figures["students"] > 0) & (figures["students"] < k)
        display, values, status = {}, {}, {}
        for measure, figure in figures.items():
            cells = [present_cell(MEASURES[measure], value, hidden)
                     for value, hidden in zip(figure.ravel(), few.ravel(), strict=True)]
            display[measure], values[measure], status[measure] = (
                grid([cell[i] for cell in cells], figure.shape) for i in range(3))
        levels[level] = ProtectedLevel(level, tuple(row.label for row in rows), tuple(r.period for r in chosen),
                                       display, values, status,
                                       pd.DataFrame(columns=["row", "period", "topic", "students"]))
    return ProtectedLattice(k, tuple(row.label for row in rows), levels, concern_table((), {}),
                            method="differential_privacy", notice=notice)


def _level_of(release: Release) -> str:
    """A release covers a term, or a school year (whose label has no term name)."""
    return "term" if " " in release.period.label else "year"
