"""The report page, its chart data and the CSV and XLSX exports: who may see them, and what they show."""
from __future__ import annotations

import csv
import io
import json
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from schoolpeers.mentors.models import CheckIn
from schoolpeers.reports.trends import WHOLE_SCHOOL
from tests.factories import UserFactory, make_mentor
from tests.reports.conftest import MARCH, SECRET_NAMES, SECRET_NOTE, SMALL_GROUP_MEAN, Programme

URLS = ["/reports", "/reports/export.csv", "/reports/export.xlsx", "/reports/data.json"]


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))


def xlsx_cells(response) -> dict[str, list[list[str]]]:
    workbook = load_workbook(io.BytesIO(response.data))
    return {sheet.title: [[c for c in row] for row in sheet.iter_rows(values_only=True)] for sheet in workbook}


def measures_table(rows: list[list[str]]) -> list[dict[str, str]]:
    """The measures section of an export (CSV rows or the XLSX sheet): one dict per cell."""
    start = next(i for i, row in enumerate(rows) if row and row[0] == "group")
    header = rows[start]
    table = []
    for row in rows[start + 1:]:
        if not row or not row[0]:
            break
        table.append(dict(zip(header, row, strict=True)))
    return table


def exported_cell(table, group, period, column="Students seen") -> str:
    return next(row[column] for row in table if row["group"] == group and row["period"] == period)


def forbidden_text(school) -> list[str]:
    """What no output may contain: names, usernames, ids, notes, exact dates, the small group's mean."""
    ids = [str(i) for i in db.session.scalars(select(CheckIn.mentee_id).where(CheckIn.school_id == school.id))]
    return [*SECRET_NAMES, SECRET_NOTE, "mentee-", *ids, MARCH.isoformat(), SMALL_GROUP_MEAN, "≥95%"]


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", URLS)
@pytest.mark.parametrize("role", ["anonymous", "student", "admin", "outsider", "counselor", "staff"])
def test_reports_are_for_counselors_and_staff_only(client, users, outsider, login_as, url, role):
    if role == "outsider":
        login_as(outsider)
    elif role != "anonymous":
        login_as(users[role])
    response = client.get(url)
    if role == "anonymous" and url.endswith(".json"):
        assert response.status_code == 401 and response.get_json()["error"] == "Sign in first."
    elif role == "anonymous":
        assert response.status_code == 302 and "/login" in response.location
    elif role in ("student", "admin", "outsider"):
        assert response.status_code == 403
    else:
        assert response.status_code == 200


def test_a_counselor_sees_only_their_own_schools_figures(client, small_school, school, other_school, login_as):
    counselor = UserFactory(other_school)("counselor")
    elsewhere = Programme(other_school, make_mentor(other_school, counselor))
    elsewhere.checkins(elsewhere.students(9, grade=11), MARCH, wellbeing=5)
    db.session.commit()
    login_as(counselor)
    data = client.get("/reports/data.json").get_json()
    assert data["groups"] == ["grade 11", WHOLE_SCHOOL]
    students = next(m for m in data["measures"] if m["name"] == "students")
    assert students["lines"][-1]["display"] == ["9", "9"]
    page = client.get("/reports").get_data(as_text=True)
    assert "grade 7" not in page and "grade 8" not in page
    assert csv_rows(client.get("/reports/export.csv"))[0][1] == "school: Other School"


# --- a small group is hidden in every output -------------------------------------------------------


def test_page_shows_charts_and_tables_with_the_small_group_hidden(client, small_school, users, login_as):
    page = login_as(users["staff"]).get("/reports").get_data(as_text=True)
    assert page.count("<svg") == 11 and page.count('class="report-table"') == 11
    assert "hidden to protect privacy: fewer than 5 students" in page
    assert re.search(r'class="num status-few_students"[^>]*>&lt;5<sup class="mark"', page)
    assert "Mean well-being (1–5)" in page and "Compared with the previous term" in page
    assert "exam stress (6)" in page and "bullying" not in page
    for text in forbidden_text(small_school.school):
        assert text not in page, text


def test_chart_json_has_protected_values_only(client, small_school, users, login_as):
    response = login_as(users["counselor"]).get("/reports/data.json")
    data = response.get_json()
    assert data["k"] == 5 and data["periods"] == ["2025-03", "2025-04"]
    wellbeing = next(m for m in data["measures"] if m["name"] == "wellbeing_mean")
    grade8 = next(line for line in wellbeing["lines"] if line["group"] == "grade 8")
    assert grade8["values"] == [None, None] and grade8["status"][0] == "few_students"
    assert "NaN" not in response.get_data(as_text=True)
    text = json.dumps(data, ensure_ascii=False)
    for forbidden in forbidden_text(small_school.school):
        assert forbidden not in text, forbidden


def test_csv_export_has_the_header_row_and_the_same_suppression(client, small_school, users, login_as):
    response = login_as(users["staff"]).get("/reports/export.csv?period=month&group=grade&grades=7&grades=8")
    assert response.mimetype == "text/csv"
    assert 'filename="wellbeing-test-school-month-by-grade-' in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    header = rows[0]
    assert header[0] == "Anonymized well-being report"
    assert {"period: month", "group: grade", "grades: 7, 8", "from: first check-in"} <= set(header)
    assert any(cell.startswith("k: 5") for cell in header)
    table = measures_table(rows)
    assert exported_cell(table, "grade 8", "2025-03") == "<5"
    assert exported_cell(table, "grade 8", "2025-03", "Mean well-being (1–5)") == "hidden"
    assert exported_cell(table, WHOLE_SCHOOL, "all periods") == "14"
    assert ["hidden to protect privacy: fewer than 5 students"] in rows
    text = response.data.decode("utf-8-sig")
    for forbidden in forbidden_text(small_school.school):
        assert forbidden not in text, forbidden


def test_xlsx_export_reads_back_with_the_same_suppression(client, small_school, users, login_as):
    response = login_as(users["counselor"]).get("/reports/export.xlsx?period=month")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheets = xlsx_cells(response)
    assert list(sheets) == ["Measures", "Topics", "Trend", "Previous term", "Notes"]
    for rows in sheets.values():
        assert rows[0][0] == "Anonymized well-being report" and "period: month" in rows[0]
    table = measures_table(sheets["Measures"])
    assert exported_cell(table, "grade 8", "2025-03") == "<5"
    assert exported_cell(table, "grade 7", "2025-03") == "hidden"  # its complement
    cells = [str(c) for rows in sheets.values() for row in rows for c in row if c is not None]
    assert all(isinstance(c, str) for rows in sheets.values() for row in rows for c in row if c is not None)
    for forbidden in forbidden_text(small_school.school):
        assert not any(forbidden in c for c in cells), forbidden


def test_exports_defuse_spreadsheet_formulas(client, programme, users, login_as):
    evil = "=HYPERLINK(\"http://x\")"
    programme.checkins(programme.students(5, grade=9), MARCH, topics=(evil,))
    db.session.commit()
    login_as(users["staff"])
    topics = [row for row in csv_rows(client.get("/reports/export.csv")) if len(row) == 5]
    assert ["whole school", "2025-03", "1", "'" + evil, "5"] in topics
    sheet = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").data))["Topics"]
    values = [cell for row in sheet.iter_rows() for cell in row if cell.value and "HYPERLINK" in str(cell.value)]
    assert values and all(cell.data_type == "s" and cell.value.startswith("'") for cell in values)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_export_is_audited(client, small_school, users, login_as, fmt):
    login_as(users["staff"]).get(f"/reports/export.{fmt}?period=term&group=band&date_from=2025-03-10")
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reports.export")).all()
    assert event.actor_id == users["staff"].id and event.school_id == users["staff"].school_id
    assert event.detail["format"] == fmt
    assert event.detail["filters"] == {"period": "term", "group": "band", "from": "2025-01-01",
                                       "to": "last check-in", "grades": "all"}


def test_page_and_chart_data_are_not_audited(client, small_school, users, login_as):
    login_as(users["staff"]).get("/reports")
    client.get("/reports/data.json")
    assert db.session.scalars(select(AuditEvent)).all() == []


# --- filters ---------------------------------------------------------------------------------------


def test_bad_filters_are_explained_next_to_their_fields(client, small_school, users, login_as):
    login_as(users["counselor"])
    response = client.get("/reports?period=year&group=class&date_from=2025-13-40&grades=6&grades=x")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('<p class="error" id=') == 4
    assert 'id="period-error"' in page and 'id="date_from-error"' in page and 'id="grades-error"' in page
    assert "<svg" not in page


@pytest.mark.parametrize(("query", "field", "message"), [
    ("date_from=2025-04-01&date_to=2025-03-01", "date_to", "The end date is before the start date."),
    ("date_from=1999-12-31", "date_from", "Choose a date from 2000-01-01"),
    ("date_to=9999-12-31", "date_to", "Choose a date from 2000-01-01"),
    ("grades=13", "grades", "not a valid choice"),
])
def test_out_of_range_filters_are_refused(client, users, login_as, query, field, message):
    login_as(users["staff"])
    page = client.get(f"/reports?{query}").get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    errors = client.get(f"/reports/data.json?{query}")
    assert errors.status_code == 400 and field in errors.get_json()["errors"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_bad_filters_goes_back_to_the_form_unaudited(client, users, login_as, fmt):
    login_as(users["staff"])
    response = client.get(f"/reports/export.{fmt}?period=day&grades=7")
    assert response.status_code == 302
    assert response.location.endswith("/reports?period=day&grades=7")
    assert "Some filters need fixing" in client.get(response.location).get_data(as_text=True)
    assert db.session.scalars(select(AuditEvent)).all() == []


def test_filters_and_exports_keep_the_choices(client, small_school, users, login_as):
    login_as(users["staff"])
    page = client.get("/reports?period=week&group=school&date_from=2025-03-05&grades=8").get_data(as_text=True)
    assert "/reports/export.xlsx?period=week&amp;group=school&amp;grades=8&amp;date_from=2025-03-05" in page
    assert "2025-W10" in page and "grade 8" not in page


def test_an_empty_school_says_what_to_do(client, users, login_as):
    page = login_as(users["staff"]).get("/reports").get_data(as_text=True)
    assert "No check-ins match these filters yet" in page and "<svg" not in page
