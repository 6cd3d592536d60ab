"""The roll-up page and its files, for the district's office people only."""
from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from schoolpeers.extensions import db
from tests.districts.test_rollup import add_checkins
from tests.districts.test_rollup import district as district  # noqa: F401 (fixture)

PAGE = "/district/reports/"
XLSX = "/district/reports/export.xlsx"


def test_the_page_shows_schools_bands_and_the_district_by_term(district, login_as, school):
    response = login_as(district["district_analyst"]).get(PAGE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"{school.name}: grades 6–8" in page and "whole district" in page
    assert "2024-25 spring" in page and "<svg" in page
    assert "hidden to protect privacy" in page
    assert "Topics and concerns stay in each school" in page
    from tests.reports.conftest import SECRET_NAMES, SECRET_NOTE

    for secret in (*SECRET_NAMES, SECRET_NOTE):
        assert secret not in page


def test_a_measure_and_months_can_be_chosen(district, login_as):
    page = login_as(district["district_admin"]).get(PAGE, query_string={"level": "month", "measure": "students"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "2025-03" in text and "Students seen" in text and "Check-ins</h2>" not in text


@pytest.mark.parametrize("query", [{"level": "week"}, {"measure": "names"}, {"date_from": "soon"},
                                   {"date_from": "2025-05-01", "date_to": "2025-01-01"}, {"date_to": "1900-01-01"}])
def test_bad_filters_are_refused_next_to_their_field(district, login_as, query):
    response = login_as(district["district_admin"]).get(PAGE, query_string=query)
    assert response.status_code == 200 and "some filters need fixing" in response.get_data(as_text=True)


def test_a_district_without_schools_says_so(login_as, school):
    from schoolpeers.districts.provisioning import create_district
    from tests.factories import UserFactory

    _district, office = create_district("Empty", "empty")
    analyst = UserFactory(office)("district_analyst")
    db.session.commit()
    page = login_as(analyst).get(PAGE).get_data(as_text=True)
    assert "has no school yet" in page and school.name not in page


def test_a_school_under_differential_privacy_is_named_as_left_out(district, login_as, other_school):
    other_school.report_protection = "differential_privacy"
    db.session.commit()
    page = login_as(district["district_admin"]).get(PAGE).get_data(as_text=True)
    assert "Reports with differential privacy only" in page and f"{other_school.name}: whole school" not in page


def test_csv_has_a_bom_the_same_cells_and_is_audited(district, login_as, school):
    from sqlalchemy import select

    from schoolpeers.audit import AuditEvent

    response = login_as(district["district_analyst"]).get("/district/reports/export.csv?level=term")
    assert response.status_code == 200 and response.data.startswith(b"\xef\xbb\xbf")
    assert 'filename="wellbeing-north-rollup-term-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[2][:3] == ["group", "period", "Mean well-being (1–5)"]
    groups = {row[0] for row in rows[3:]}
    assert f"{school.name}: whole school" in groups and "whole district" in groups
    assert "hidden" in {cell for row in rows[3:] for cell in row}
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "district_reports.export")) is not None


def sheet_of(client, measure: str):
    response = client.get(XLSX, query_string={"level": "year", "measure": measure})
    return load_workbook(io.BytesIO(response.data)).active


def test_xlsx_holds_shown_figures_as_numbers(district, login_as):
    client = login_as(district["district_admin"])
    sheet = sheet_of(client, "students")
    values = [row[2] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert any(isinstance(v, int) and v >= 5 for v in values) and "0" in values  # no one in grades 9–10
    # three students of grade 8 rated low: too few for a share of the school
    sheet = sheet_of(client, "low_share")
    values = [row[2] for row in sheet.iter_rows(min_row=4, values_only=True)]
    assert "hidden" in values and any(isinstance(v, float) for v in values)


def test_school_names_that_look_like_formulas_are_defused(district, login_as, school):
    school.name = "=HYPERLINK(1)"
    db.session.commit()
    response = login_as(district["district_admin"]).get("/district/reports/export.csv")
    assert "'=HYPERLINK(1): whole school" in response.data.decode("utf-8-sig")


def test_school_people_and_other_districts_get_nothing(district, login_as, users, other_school):
    assert login_as(users["admin"]).get(PAGE).status_code == 403
    from schoolpeers.accounts import services as accounts
    from tests.factories import make_district

    stranger = accounts.create_school("Elsewhere", "elsewhere")
    other = make_district(stranger, "south")
    db.session.commit()
    page = login_as(other["district_admin"]).get(PAGE).get_data(as_text=True)
    assert other_school.name not in page and "North" not in page


def test_the_roll_up_is_kept_until_a_school_s_data_changes(district, login_as, school, monkeypatch):
    from schoolpeers.districts import rollup

    built = []
    real = rollup.district_rollup
    monkeypatch.setattr(rollup, "district_rollup", lambda *args, **kw: built.append(1) or real(*args, **kw))
    client = login_as(district["district_analyst"])
    client.get(PAGE)
    client.get(PAGE, query_string={"level": "year"})
    assert len(built) == 1
    add_checkins(school)  # a school's data changes
    client.get(PAGE)
    assert len(built) == 2
