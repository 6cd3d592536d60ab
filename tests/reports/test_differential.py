"""Differential privacy as a school's choice: OpenDP releases per closed term and year, made once."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from schoolpeers.extensions import db
from schoolpeers.reports.differential import (
    CHECKINS_PER_STUDENT,
    SENSITIVITY,
    Release,
    exact_counts,
    expected_error,
    noisy_release,
    published_lattice,
    release_epsilon,
)
from schoolpeers.reports.lattice import grade_bands, lattice_rows
from schoolpeers.reports.models import DpRelease
from schoolpeers.reports.trends import DOMAINS, PeriodSlot

AUTUMN = PeriodSlot("2025-26 autumn", date(2025, 9, 1), date(2025, 12, 31))


def visits(rows: list[tuple[int, int, int]], day=date(2025, 10, 1)) -> pd.DataFrame:
    """Check-ins from (student, grade, rating) triples."""
    frame = pd.DataFrame(rows, columns=["mentee_key", "grade", "wellbeing"]).assign(
        occurred_on=pd.Timestamp(day), topics=None)
    return frame.assign(**dict.fromkeys(DOMAINS, np.nan))


# --- the pure core ---------------------------------------------------------------------------


def test_each_students_check_ins_are_limited_so_one_student_moves_a_count_by_a_known_bound():
    many = visits([(1, 7, 1)] * 40 + [(2, 7, 4), (3, 8, 5)])
    counts = exact_counts(many, range(6, 9))
    assert counts["students"].tolist() == [0, 2, 1]
    assert counts["checkins"].tolist() == [0, CHECKINS_PER_STUDENT + 1, 1]
    assert counts["low_count"].tolist() == [0, CHECKINS_PER_STUDENT, 0]
    assert counts["wellbeing_sum"].tolist() == [0, CHECKINS_PER_STUDENT + 4, 5]


def test_a_release_spends_its_share_of_epsilon_and_its_noise_is_the_laplace_scale():
    epsilon = release_epsilon(1.0, 3)
    assert epsilon == 0.25
    school = visits([(s, 6 + s % 3, 1 + s % 5) for s in range(300)])
    errors = []
    for _ in range(40):
        release = noisy_release(school, AUTUMN, range(6, 9), epsilon)
        errors += [release.grades[g]["students"] - 100 for g in range(6, 9)]
    scale = expected_error(epsilon, "students")
    assert scale == SENSITIVITY["students"] / (epsilon / 4) == 16
    assert 0.5 * scale < np.mean(np.abs(errors)) < 1.6 * scale  # Laplace: mean |noise| = scale


def test_bands_and_the_school_are_sums_of_the_released_grades_and_means_are_ratios():
    rows = lattice_rows(6, 8, grade_bands(6, 8))
    counts = {6: {"students": 10, "checkins": 20, "wellbeing_sum": 60, "low_count": 4},
              7: {"students": -2, "checkins": -1, "wellbeing_sum": 3, "low_count": 0},
              8: {"students": 7, "checkins": 10, "wellbeing_sum": 45, "low_count": 0}}
    lattice = published_lattice([Release(AUTUMN, 0.25, counts)], rows, 5, "notice")
    term = lattice.levels["term"]
    labels = [row.label for row in rows]
    school, band = labels.index("whole school"), labels.index("grades 6–8")
    assert term.display["students"][school, 0] == "15" and term.display["checkins"][band, 0] == "29"
    assert term.display["students"][labels.index("grade 7"), 0] == "0"  # a negative count reads 0
    assert term.display["wellbeing_mean"][labels.index("grade 7"), 0] == "–"  # no check-ins to divide by
    assert term.display["wellbeing_mean"][labels.index("grade 8"), 0] == "4.5"
    assert term.display["wellbeing_mean"][labels.index("grade 6"), 0] == "3.0"
    assert lattice.method == "differential_privacy" and lattice.levels["year"].periods == ()


def test_a_grade_of_fewer_than_k_students_by_its_noisy_count_is_hidden_and_still_counts_in_the_school():
    rows = lattice_rows(6, 7, grade_bands(6, 7))
    counts = {6: {"students": 3, "checkins": 3, "wellbeing_sum": 3, "low_count": 3},
              7: {"students": 9, "checkins": 9, "wellbeing_sum": 27, "low_count": 0}}
    term = published_lattice([Release(AUTUMN, 0.25, counts)], rows, 5, "").levels["term"]
    labels = [row.label for row in rows]
    assert {term.display[m][labels.index("grade 6"), 0] for m in term.display} == {"hidden"}
    assert term.display["students"][labels.index("whole school"), 0] == "12"


# --- a school that chose it -------------------------------------------------------------------


@pytest.fixture
def private_school(clear_school, school):
    school.report_protection = "differential_privacy"
    school.dp_epsilon_per_year = 2.0
    db.session.commit()
    return school


def releases(school) -> list[DpRelease]:
    db.session.expire_all()
    return db.session.scalars(select(DpRelease).where(DpRelease.school_id == school.id)
                              .order_by(DpRelease.starts_on, DpRelease.level)).all()


def test_closed_terms_and_years_are_released_once_and_the_budget_is_shown(client, private_school, users, login_as):
    login_as(users["staff"])
    page = client.get("/reports").get_data(as_text=True)
    made = releases(private_school)
    # Check-ins in March and April 2025; today is later: spring and summer 2025 and the year 2024-25 closed.
    assert [(r.level, r.label) for r in made][:3] == [("year", "2024-25"), ("term", "2024-25 spring"),
                                                       ("term", "2024-25 summer")]
    assert all(r.epsilon == 0.5 for r in made)  # 2.0 over three terms and the year
    assert "Differential privacy, budget ε 2 per school year, spent 2024-25: 1.50" in page
    data = client.get("/reports/data.json?period=term").get_json()
    again = client.get("/reports/data.json?period=term").get_json()
    assert data["measures"] == again["measures"] and len(releases(private_school)) == len(made)
    assert [m["name"] for m in data["measures"]] == ["wellbeing_mean", "low_share", "students", "checkins"]
    assert data["topics"] == [] and data["concerns"] == []
    assert "bullying" not in page and "exam stress" not in page  # topics are not released


def test_only_terms_and_years_can_be_asked_for(client, private_school, users, login_as):
    login_as(users["counselor"])
    assert client.get("/reports/data.json?period=month").status_code == 400
    assert client.get("/reports/data.json?period=year").status_code == 200
    form_page = client.get("/reports").get_data(as_text=True)
    assert '<option value="week"' not in form_page and '<option selected value="term"' in form_page


def test_a_release_already_made_stays_as_it_was(client, private_school, users, login_as, clear_school):
    login_as(users["staff"])
    client.get("/reports/data.json?period=term")
    before = {(r.level, r.label): r.counts for r in releases(private_school)}
    clear_school.checkins(clear_school.students(3, grade=7), date(2025, 3, 20))  # a late entry
    db.session.commit()
    client.get("/reports/data.json?period=term")
    assert {(r.level, r.label): r.counts for r in releases(private_school)} == before


def test_a_lowered_budget_is_never_overspent(client, private_school, users, login_as):
    login_as(users["staff"])
    client.get("/reports/data.json?period=term")
    year = next(r for r in releases(private_school) if r.label == "2024-25")
    db.session.delete(year)  # as if the year had not been released yet
    private_school.dp_epsilon_per_year = 1.0  # its terms already spent 0.5 + 0.5
    db.session.commit()
    page = client.get("/reports?period=year").get_data(as_text=True)
    assert "2024-25" not in {r.label for r in releases(private_school)}
    assert "spent 2024-25: 1.00" in page
