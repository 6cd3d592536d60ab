"""The report page, its chart data and the CSV and XLSX exports: who may see them, and what they show."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import date

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
    return [*SECRET_NAMES, SECRET_NOTE, "mentee-", *ids, MARCH.isoformat(), SMALL_GROUP_MEAN, "≤1.2", "bullying"]


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


def test_a_counselor_sees_only_their_own_schools_figures(client, clear_school, school, other_school, login_as):
    counselor = UserFactory(other_school)("counselor")
    elsewhere = Programme(other_school, make_mentor(other_school, counselor))
    elsewhere.checkins(elsewhere.students(9, grade=11), MARCH, wellbeing=5)
    db.session.commit()
    login_as(counselor)
    data = client.get("/reports/data.json?group=school").get_json()
    assert data["groups"] == [WHOLE_SCHOOL] and data["periods"] == ["2025-03"]
    students = next(m for m in data["measures"] if m["name"] == "students")
    assert abs(int(students["lines"][0]["display"][0]) - 9) <= 2
    page = client.get("/reports").get_data(as_text=True)
    assert "exam stress" not in page
    assert csv_rows(client.get("/reports/export.csv"))[0][1] == "school: Other School"


# --- a small group is hidden in every output -------------------------------------------------------


def test_page_shows_charts_and_tables_with_the_small_group_hidden(client, clear_school, users, login_as):
    page = login_as(users["staff"]).get("/reports").get_data(as_text=True)
    assert page.count("<svg") == 8 and page.count('class="report-table"') == 8
    assert "hidden to protect privacy: it rests on fewer than 5 students" in page
    assert re.search(r'class="num status-hidden"[^>]*>hidden<sup class="mark"', page)
    assert "Mean well-being (1–5)" in page and "Compared with the previous term" in page
    assert "Students with a concern" in page and "fewer than 5" in page
    assert "exam stress (" in page and "bullying" not in page
    for text in forbidden_text(clear_school.school):
        assert text not in page, text


def test_chart_json_has_published_values_only(client, clear_school, users, login_as):
    response = login_as(users["counselor"]).get("/reports/data.json")
    data = response.get_json()
    assert data["k"] == 5 and data["periods"] == ["2025-03", "2025-04"]
    wellbeing = next(m for m in data["measures"] if m["name"] == "wellbeing_mean")
    grade9 = next(line for line in wellbeing["lines"] if line["group"] == "grade 9")
    assert grade9["values"][0] is None and grade9["status"][0] == "hidden"
    assert grade9["display"][1] == "–" and grade9["status"][1] == "empty"  # nobody in April
    assert data["concerns"][0]["term"] == "2024-25 spring"
    assert "NaN" not in response.get_data(as_text=True)
    text = json.dumps(data, ensure_ascii=False)
    for forbidden in forbidden_text(clear_school.school):
        assert forbidden not in text, forbidden


def test_csv_export_has_the_header_row_and_the_same_cells(client, clear_school, users, login_as):
    response = login_as(users["staff"]).get("/reports/export.csv?period=month&group=grade&grades=6-8")
    assert response.mimetype == "text/csv"
    assert 'filename="wellbeing-test-school-month-by-grade-' in response.headers["Content-Disposition"]
    rows = csv_rows(response)
    header = rows[0]
    assert header[0] == "Anonymized well-being report"
    assert {"period: month", "group: grade", "grades: grades 6–8", "from: 2025-03-01", "to: 2025-04-30"} <= set(header)
    assert any(cell.startswith("k: 5") for cell in header)
    table = measures_table(rows)
    data = client.get("/reports/data.json?period=month&group=grade&grades=6-8").get_json()
    students = next(m for m in data["measures"] if m["name"] == "students")
    for line in students["lines"]:
        assert [exported_cell(table, line["group"], p) for p in data["periods"]] == line["display"]
    text = response.data.decode("utf-8-sig")
    for forbidden in forbidden_text(clear_school.school):
        assert forbidden not in text, forbidden


def test_xlsx_holds_numbers_with_formats_and_hidden_cells_as_text(client, clear_school, users, login_as):
    response = login_as(users["counselor"]).get("/reports/export.xlsx?period=month&group=school")
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["Measures", "Topics", "Trend", "Previous term", "Concerns", "Notes"]
    for sheet in workbook:
        assert sheet["A1"].value == "Anonymized well-being report" and sheet["C1"].value == "period: month"
    sheet = workbook["Measures"]
    header = [c.value for c in sheet[3]]
    march = {name: cell for name, cell in zip(header, sheet[4], strict=True)}
    assert march["group"].value == WHOLE_SCHOOL and march["period"].value == "2025-03"
    wellbeing = march["Mean well-being (1–5)"]
    assert isinstance(wellbeing.value, float) and wellbeing.number_format == "0.0"
    students = march["Students seen"]
    assert isinstance(students.value, int) and students.number_format == "0"
    assert march["Share of low well-being ratings (1–2)"].value == "hidden"
    cells = [str(c) for ws in workbook for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    for forbidden in forbidden_text(clear_school.school):
        assert not any(forbidden in c for c in cells), forbidden


def test_exports_defuse_spreadsheet_formulas(client, programme, users, login_as):
    evil = "=HYPERLINK(\"http://x\")"
    programme.checkins(programme.students(6, grade=9), MARCH, topics=(evil,))
    db.session.commit()
    login_as(users["staff"])
    topics = [row for row in csv_rows(client.get("/reports/export.csv")) if len(row) == 5]
    assert any(row[0] == WHOLE_SCHOOL and row[3] == "'" + evil for row in topics)
    sheet = load_workbook(io.BytesIO(client.get("/reports/export.xlsx").data))["Topics"]
    values = [cell for row in sheet.iter_rows() for cell in row if cell.value and "HYPERLINK" in str(cell.value)]
    assert values and all(cell.data_type == "s" and cell.value.startswith("'") for cell in values)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_export_is_audited(client, small_school, users, login_as, fmt):
    login_as(users["staff"]).get(f"/reports/export.{fmt}?period=term&group=band&date_from=2025-03-10")
    [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reports.export")).all()
    assert event.actor_id == users["staff"].id and event.school_id == users["staff"].school_id
    assert event.detail["format"] == fmt
    assert event.detail["filters"] == {"period": "term", "group": "band", "grades": "whole school",
                                       "from": "2025-01-01", "to": "2025-08-31", "checkins": "Mentors' check-ins"}


def test_page_and_chart_data_are_not_audited(client, small_school, users, login_as):
    login_as(users["staff"]).get("/reports")
    client.get("/reports/data.json")
    assert db.session.scalars(select(AuditEvent)).all() == []


# --- filters ---------------------------------------------------------------------------------------


def test_bad_filters_are_explained_next_to_their_fields(client, small_school, users, login_as):
    login_as(users["counselor"])
    response = client.get("/reports?period=day&group=class&date_from=2025-13-40&grades=x")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count('<p class="error" id=') == 4
    assert 'id="period-error"' in page and 'id="date_from-error"' in page and 'id="grades-error"' in page
    assert "<svg" not in page


@pytest.mark.parametrize(("query", "field", "message"), [
    ("date_from=2025-04-01&date_to=2025-03-01", "date_to", "The end date is before the start date."),
    ("date_from=1999-12-31", "date_from", "Choose a date from 2000-01-01"),
    ("date_to=9999-12-31", "date_to", "Choose a date from 2000-01-01"),
    ("grades=13", "grades", "Not a valid choice"),
    ("grades=6-9", "grades", "Not a valid choice"),
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
    assert "2025-W10" in page and "grade 7" not in page


def test_the_page_starts_at_the_last_twelve_months_and_its_links_say_so(client, programme, users, login_as):
    students = programme.students(6, grade=7)
    for day in (date(2023, 3, 7), MARCH):
        programme.checkins(students, day)
    db.session.commit()
    login_as(users["staff"])
    page = client.get("/reports?period=month").get_data(as_text=True)
    assert "from 2024-04-01" in page and "2023-03" not in page.split('id="default-range"')[1]
    assert "date_from=2024-04-01" in page
    assert "2023-03" in client.get("/reports?period=month&date_from=2023-01-01").get_data(as_text=True)


def test_an_empty_school_says_what_to_do(client, users, login_as):
    page = login_as(users["staff"]).get("/reports").get_data(as_text=True)
    assert "No check-ins match these filters yet" in page and "<svg" not in page
