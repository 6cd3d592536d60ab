"""The publication lattice: every row and level counts what it holds, and cell keys add up like counts."""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from schoolpeers.reports.trends import DEFAULT_TERMS
from tests.reports.schools import lattice_of, small_school


@pytest.fixture(scope="module")
def school():
    checkins, concerns = small_school(7)
    return checkins, concerns, lattice_of(checkins, concerns)


def test_every_row_and_level_counts_the_students_and_checkins_it_holds(school):
    checkins, _, lattice = school
    month = lattice.levels["month"]
    march = [s.label for s in month.periods].index("2026-03")
    in_march = checkins[pd.to_datetime(checkins["occurred_on"]).dt.strftime("%Y-%m") == "2026-03"]
    for r, row in enumerate(lattice.rows):
        rows = in_march[in_march["grade"].isin(row.grades)]
        assert month.values["students"][r, march] == rows["mentee_key"].nunique()
        assert month.values["checkins"][r, march] == len(rows)
        assert month.values["low_students"][r, march] == rows.loc[rows["wellbeing"] <= 2, "mentee_key"].nunique()
    year = lattice.levels["year"]
    assert [s.label for s in year.periods] == ["2025-26"]
    assert year.values["students"][-1, 0] == checkins["mentee_key"].nunique()


def test_the_same_students_get_the_same_cell_key_wherever_they_appear(school):
    _, _, lattice = school
    term, year = lattice.levels["term"], lattice.levels["year"]
    # A band whose grades are all of a row's students has that row's key: keys add up like counts.
    assert term.keys["students"][-1, 0] == np.mod(sum(term.keys["students"][r, 0] for r in range(7)), 2**32)
    assert year.values["students"][-1, 0] == sum(year.values["students"][r, 0] for r in range(7))


def test_concern_students_are_counted_once_per_term_and_severity(school):
    _, concerns, lattice = school
    autumn = concerns[pd.to_datetime(concerns["raised_on"]) < pd.Timestamp(2026, 1, 1)]
    for severity, counts in lattice.concern_students.items():
        assert counts[0] == autumn.loc[autumn["severity"] == severity, "mentee_key"].nunique()


@pytest.mark.parametrize(("day", "label", "start", "end"), [
    (date(2025, 9, 1), "2025-26", date(2025, 9, 1), date(2026, 8, 31)),
    (date(2026, 8, 31), "2025-26", date(2025, 9, 1), date(2026, 8, 31)),
    (date(2026, 1, 15), "2025-26", date(2025, 9, 1), date(2026, 8, 31)),
    (date(2026, 9, 1), "2026-27", date(2026, 9, 1), date(2027, 8, 31)),
])
def test_a_school_year_runs_from_the_first_term_to_the_day_before_the_next(day, label, start, end):
    year = DEFAULT_TERMS.year_containing(day)
    assert (year.label, year.start, year.end) == (label, start, end)
