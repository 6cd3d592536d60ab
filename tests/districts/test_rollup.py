"""The district's roll-up from the database: each school as its own report publishes it."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from schoolpeers.accounts import services as accounts
from schoolpeers.districts.rollup import district_rollup, periods_in_range, slice_rollup
from schoolpeers.extensions import db
from schoolpeers.reports.privacy import CellStatus
from schoolpeers.reports.services import protected_lattice, report_secret
from tests.factories import UserFactory, make_district, make_mentor

SECRET = "test secret key"
TODAY = date(2025, 6, 1)


def fill(school, seventh: int, eighth: int) -> None:
    """Grade 7 rates 4 and grade 8 rates 2, in March and April 2025."""
    from tests.reports.conftest import APRIL, MARCH, Programme  # after the app: it imports every model

    counselor = UserFactory(school)("counselor")
    programme = Programme(school, make_mentor(school, counselor, grade=12))
    for count, grade, rating in ((seventh, 7, 4), (eighth, 8, 2)):
        if count:
            students = programme.students(count, grade=grade)
            programme.checkins(students, MARCH, wellbeing=rating)
            programme.checkins(students, APRIL, wellbeing=rating)


def add_checkins(school) -> None:
    """Five more grade-7 students check in in April (ids far from the others): the school's data changes."""
    import itertools

    from tests.reports.conftest import APRIL, Programme

    programme = Programme(school, make_mentor(school, UserFactory(school)("counselor"), grade=12))
    programme.ids = itertools.count(9_000_000)
    programme.checkins(programme.students(5, grade=7), APRIL)
    db.session.commit()


@pytest.fixture
def district(school, other_school):
    made = make_district(school, "north")
    other_school.district_id = made["district"].id
    fill(school, 12, 3)
    fill(other_school, 9, 4)
    db.session.commit()
    return made


def test_each_school_reads_as_its_own_report_and_the_district_adds_up(district, school, other_school):
    found = district_rollup(district["district"], SECRET, TODAY)
    assert set(found.rollup.schools) == {school.name, other_school.name} and found.left_out == ()
    month = found.rollup.levels["month"]
    own = protected_lattice(school, report_secret(SECRET, school)).levels["month"]
    r = [row.title for row in found.rollup.rows].index(f"{school.name}: whole school")
    assert list(month.display["students"][r]) == list(own.display["students"][own.rows.index("whole school")])
    district_row = [row.title for row in found.rollup.rows].index("whole district")
    assert month.status["students"][district_row][0] == CellStatus.SHOWN
    assert abs(int(month.display["students"][district_row][0]) - (15 + 13)) <= 2


def test_a_slice_holds_whole_periods_and_every_row(district):
    found = district_rollup(district["district"], SECRET, TODAY)
    shown = slice_rollup(found, "term", None, None, ["students", "wellbeing_mean"])
    assert shown.periods == ["2024-25 spring", "2024-25 summer"]
    assert shown.rows[-4:] == ["grades 6–8", "grades 9–10", "grades 11–12", "whole district"]
    assert shown.measures["students"][-1][0][1] == CellStatus.SHOWN


def test_schools_under_differential_privacy_are_left_out(district, other_school):
    other_school.report_protection = "differential_privacy"
    db.session.commit()
    found = district_rollup(district["district"], SECRET, TODAY)
    assert found.left_out == (other_school.name,)
    assert other_school.name not in found.rollup.schools


def test_archived_schools_stay_in_for_their_periods(district, other_school):
    other_school.archived_at = datetime(2025, 5, 1, tzinfo=timezone.utc)
    db.session.commit()
    assert other_school.name in district_rollup(district["district"], SECRET, TODAY).rollup.schools


def test_a_district_without_schools_rolls_up_nothing(app):
    from schoolpeers.districts.provisioning import create_district

    district, _office = create_district("Empty", "empty")
    db.session.commit()
    found = district_rollup(district, SECRET, TODAY)
    assert found.rollup.rows == () and not found.rollup.has_data()


def test_a_school_of_another_district_is_not_rolled_up(district, app):
    stranger = accounts.create_school("Elsewhere", "elsewhere")
    fill(stranger, 10, 0)
    db.session.commit()
    assert "Elsewhere" not in district_rollup(district["district"], SECRET, TODAY).rollup.schools


def test_a_range_keeps_whole_periods(district):
    table = district_rollup(district["district"], SECRET, TODAY).rollup.levels["month"]
    assert [table.periods[c].label for c in periods_in_range(table, date(2025, 4, 20), None)] == ["2025-04"]
