"""A school's anonymized reports: build and protect the lattice from what `loading` reads, slice
reports from it, and name what they show.

Everything the page, the chart JSON, the exports and the command line show is a slice of the
`ProtectedLattice` built here (see `report`), never the exact values. Under differential privacy the
lattice is what the school's releases publish, each made once.
"""
from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from schoolpeers.accounts.models import School
from schoolpeers.extensions import db
from schoolpeers.lazy import LazyModule
from schoolpeers.mentors.models import DOMAINS as DOMAIN_LABELS
from schoolpeers.reports.differential import (
    RELEASE_LEVELS,
    RELEASE_MEASURES,
    Release,
    noisy_release,
    published_lattice,
    release_epsilon,
)
from schoolpeers.reports.lattice import Row, build_lattice, grade_bands, lattice_rows, period_range
from schoolpeers.reports.loading import data_extent, load_checkins, load_concerns, load_self_checkins
from schoolpeers.reports.models import DpRelease
from schoolpeers.reports.perturbation import student_key
from schoolpeers.reports.privacy import ProtectedLattice, protect_lattice
from schoolpeers.reports.report import ReportParams, SchoolReport, grade_choice, slice_report
from schoolpeers.reports.trends import DEFAULT_TERMS, DOMAINS, PeriodSlot
from schoolpeers.severity import MOST_URGENT_FIRST

pd = LazyModule("pandas")

# Page and chart order: how students feel first, then activity.
MEASURE_LABELS: dict[str, str] = {
    "wellbeing_mean": "Mean well-being (1–5)",
    "low_share": "Share of low well-being ratings (1–2)",
    **{f"{d}_mean": f"{DOMAIN_LABELS[d]} (mean, 1–5)" for d in DOMAINS},
    "students": "Students seen",
    "checkins": "Check-ins",
}
SEVERITY_LABELS = {s.value: s.label for s in MOST_URGENT_FIRST}
DIFFERENTIAL_PRIVACY = "differential_privacy"


def school_rows(school: School) -> tuple[Row, ...]:
    """The lattice's rows for the school's grades: each grade, each band, the whole school."""
    return lattice_rows(school.grade_min, school.grade_max, grade_bands(school.grade_min, school.grade_max))


def grade_choices(school: School) -> list[tuple[str, str]]:
    """(value, label) of every grade choice a report offers: all grades, each band, each grade."""
    rows = school_rows(school)
    ordered = [r for r in rows if r.kind == "school"] + [r for r in rows if r.kind == "band"] + \
        [r for r in rows if r.kind == "grade"]
    return [(grade_choice(r), "All grades" if r.kind == "school" else r.label.capitalize()) for r in ordered]


def report_secret(app_secret: str | bytes, school: School) -> bytes:
    """The school's secret for cell keys: from the app's secret key, different for every school."""
    secret = app_secret.encode() if isinstance(app_secret, str) else app_secret
    return hashlib.blake2b(f"report cell keys of school {school.id}".encode(), key=secret[:64]).digest()


def protected_lattice(school: School, secret: bytes, source: str = "mentors") -> ProtectedLattice:
    """Load the school's whole history of one source's check-ins (the mentors' or the students'
    own, see `report.SOURCES`) and make its one protection decision."""
    rows = school_rows(school)
    grades = frozenset(range(school.grade_min, school.grade_max + 1))
    checkins = (load_self_checkins if source == "students" else load_checkins)(school, grades, None, None)
    concerns = load_concerns(school, grades, None, None)
    keys = {int(m): student_key(secret, int(m)) for m in pd.unique(checkins["mentee_key"])}
    return protect_lattice(build_lattice(checkins, concerns, rows=rows, student_keys=keys), school.min_group_size)


def school_report(school: School, protected: ProtectedLattice, params: ReportParams, today: date, *,
                  default_months: int | None = None) -> SchoolReport:
    """The report of `params`: a slice of the school's protected lattice."""
    labels = MEASURE_LABELS
    if protected.method == DIFFERENTIAL_PRIVACY:
        labels = {name: label for name, label in MEASURE_LABELS.items() if name in RELEASE_MEASURES}
    return slice_report(protected, school_rows(school), params, labels=labels, school_name=school.name,
                        school_slug=school.slug, generated_on=today, default_months=default_months)


def uncached_report(school: School, params: ReportParams, today: date, app_secret: str) -> SchoolReport:
    """The report of `params` built from the database, for the command line and background exports.
    Under differential privacy, releases it makes are written to the session (the caller commits)."""
    if uses_differential_privacy(school):
        protected = released_lattice(school, today)
    else:
        protected = protected_lattice(school, report_secret(app_secret, school), params.source)
    return school_report(school, protected, params, today)


def uses_differential_privacy(school: School) -> bool:
    return school.report_protection == DIFFERENTIAL_PRIVACY


def released_lattice(school: School, today: date) -> ProtectedLattice:
    """Under differential privacy: what the school's releases publish, after making the release of
    every term and school year that has closed since its first check-in and has none yet. Releases
    are written to the session (the caller commits); one made meanwhile by another request stands."""
    stored = {(r.level, r.label): r for r in _releases(school)}
    extent = data_extent(school)
    missing = []
    if extent.first_day is not None:
        for level in RELEASE_LEVELS:
            missing += [(level, slot) for slot in period_range(extent.first_day, today, level)
                        if slot.end < today and (level, slot.label) not in stored]
    if missing:
        grades = range(school.grade_min, school.grade_max + 1)
        checkins = load_checkins(school, frozenset(grades), min(s.start for _l, s in missing),
                                 max(s.end for _l, s in missing))
        days = checkins["occurred_on"].dt.date
        planned = release_epsilon(school.dp_epsilon_per_year, len(DEFAULT_TERMS.terms))
        spent = _spent(stored.values())
        for level, slot in missing:
            year = DEFAULT_TERMS.year_containing(slot.start).label
            # Never past the year's budget, even when the setting was lowered after earlier releases.
            epsilon = min(planned, school.dp_epsilon_per_year - spent.get(year, 0.0))
            if epsilon < planned * 0.01:
                continue  # the year's budget is spent: this period is not released
            spent[year] = spent.get(year, 0.0) + epsilon
            release = noisy_release(checkins[(days >= slot.start) & (days <= slot.end)], slot, grades, epsilon)
            try:
                with db.session.begin_nested():
                    db.session.add(DpRelease(
                        school_id=school.id, level=level, label=slot.label, starts_on=slot.start, ends_on=slot.end,
                        school_year=year, epsilon=epsilon,
                        counts={str(g): counts for g, counts in release.grades.items()}))
            except IntegrityError:
                pass  # another request released this period first: its release is the one
        stored = {(r.level, r.label): r for r in _releases(school)}
    releases = [Release(PeriodSlot(r.label, r.starts_on, r.ends_on), r.epsilon,
                        {int(g): counts for g, counts in r.counts.items()}) for r in stored.values()]
    return published_lattice(releases, school_rows(school), school.min_group_size, _budget_notice(school, stored))


def _releases(school: School) -> list[DpRelease]:
    return list(db.session.scalars(select(DpRelease).where(DpRelease.school_id == school.id)))


def _spent(releases) -> dict[str, float]:
    """ε spent per school year by these releases."""
    spent: dict[str, float] = {}
    for release in releases:
        spent[release.school_year] = spent.get(release.school_year, 0.0) + release.epsilon
    return spent


def _budget_notice(school: School, stored: dict) -> str:
    years = "; ".join(f"{year}: {total:.2f}" for year, total in sorted(_spent(stored.values()).items())) \
        or "nothing yet"
    return (f"Differential privacy, budget ε {school.dp_epsilon_per_year:g} per school year, spent {years}. "
            "Closed terms and school years only; every figure carries noise.")
