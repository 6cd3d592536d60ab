"""`flask reports export`: the page's report, filters and suppression, to a file, on record."""
from __future__ import annotations

import csv

from openpyxl import load_workbook
from sqlalchemy import select

from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db
from tests.reports.conftest import SECRET_NAMES, SECRET_NOTE, SMALL_GROUP_MEAN


def audit_events() -> list[AuditEvent]:
    db.session.expire_all()
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reports.export")).all()


def test_export_xlsx_with_filters(runner, clear_school, school, tmp_path):
    out = tmp_path / "report.xlsx"
    result = runner.invoke(args=["reports", "export", "--school", "test-school", "--period", "month", "--group",
                                 "grade", "--format", "xlsx", "--out", str(out), "--from", "2025-03-15",
                                 "--to", "2025-04-02", "--grades", "9-10"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {out}" in result.output
    sheet = load_workbook(out)["Measures"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    choices = {"period: month", "group: grade", "from: 2025-03-01", "to: 2025-04-30", "grades: grades 9–10"}
    assert choices <= set(rows[0])
    header = rows[2]
    grade9_march = next(dict(zip(header, row, strict=True)) for row in rows[3:] if row[:2] == ["grade 9", "2025-03"])
    assert grade9_march["Students seen"] == "hidden" and grade9_march["Mean well-being (1–5)"] == "hidden"
    text = " ".join(str(c) for row in rows for c in row if c is not None)
    for forbidden in (*SECRET_NAMES, SECRET_NOTE, SMALL_GROUP_MEAN):
        assert forbidden not in text
    [event] = audit_events()
    assert event.actor_id is None and event.school_id == school.id
    assert event.detail["format"] == "xlsx" and event.detail["source"] == "command line"
    assert event.detail["filters"]["grades"] == "grades 9–10"


def test_the_format_follows_the_file_name(runner, small_school, tmp_path):
    out = tmp_path / "report.csv"
    result = runner.invoke(args=["reports", "export", "--school", "test-school", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert "period: month" in rows[0] and "group: grade" in rows[0]
    assert audit_events()[0].detail["format"] == "csv"


def test_the_same_filters_as_the_page_are_refused(runner, small_school, tmp_path):
    out = tmp_path / "report.csv"
    result = runner.invoke(args=["reports", "export", "--school", "test-school", "--out", str(out),
                                 "--from", "2025-04-01", "--to", "2025-03-01", "--grades", "7,8"])
    assert result.exit_code != 0
    assert "--to: The end date is before the start date." in result.output
    assert "--grades:" in result.output
    assert not out.exists() and audit_events() == []


def test_unknown_school_or_format(runner, school, tmp_path):
    result = runner.invoke(args=["reports", "export", "--school", "nowhere", "--out", str(tmp_path / "r.csv")])
    assert result.exit_code != 0 and "No school with the short name 'nowhere'" in result.output
    result = runner.invoke(args=["reports", "export", "--school", "test-school", "--out", str(tmp_path / "r.pdf")])
    assert result.exit_code != 0 and "--format csv or xlsx" in result.output
    result = runner.invoke(args=["reports", "export", "--school", "test-school", "--period", "day",
                                 "--out", str(tmp_path / "r.csv")])
    assert result.exit_code != 0 and "day" in result.output


def test_a_school_under_differential_privacy_exports_its_releases(runner, clear_school, school, tmp_path):
    school.report_protection = "differential_privacy"
    school.dp_epsilon_per_year = 10.0  # noise small enough that the school's 26 students always show
    db.session.commit()
    out = tmp_path / "report.csv"
    refused = runner.invoke(args=["reports", "export", "--school", "test-school", "--period", "month",
                                  "--out", str(out)])
    assert refused.exit_code != 0 and "--period:" in refused.output  # months are not released
    result = runner.invoke(args=["reports", "export", "--school", "test-school", "--out", str(out)])  # terms
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8-sig")
    assert "2024-25 spring" in text and "protection: Differential privacy, budget ε 10 per school year" in text
    assert audit_events()[0].detail["format"] == "csv"
