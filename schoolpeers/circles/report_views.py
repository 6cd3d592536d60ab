"""The circles report: participation, mood rounds and feedback by topic and grade band, protected like
every report; for counselors and staff, with its CSV. Of a school year that has ended only, as first
published (`report.published_report`)."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, render_template

from schoolpeers.accounts.access import role_required
from schoolpeers.circles import report
from schoolpeers.circles.report import CirclesReport
from schoolpeers.extensions import limit_exports_per_person
from schoolpeers.reports import yearly_views
from schoolpeers.reports.export_jobs import REPORT_ROLES
from schoolpeers.reports.privacy import CellStatus, explain
from schoolpeers.reports.yearly_views import figure_cell
from schoolpeers.spreadsheet import defused

bp = Blueprint("circle_reports", __name__, template_folder="templates")
PARTICIPATION = ("students", "sessions", "attendances", "attendance_rate")
FEELINGS = ("students", "mood", "helped")


@bp.get("/reports/circles", endpoint="report")
@role_required(*REPORT_ROLES)
def report_page():
    asked = yearly_views.year_asked(report)
    found = yearly_views.published(report, asked)
    k = found.k if found else asked.school.min_group_size
    return render_template("circles/report.html", report=found, year=asked.year, years=asked.years,
                           unpublished=asked.reason, hidden_note=hidden_note(k),
                           hidden_title=explain(CellStatus.HIDDEN, k))


@bp.get("/reports/circles.csv")
@role_required(*REPORT_ROLES)
@limit_exports_per_person()
def report_csv():
    return yearly_views.csv_download(report, page="circle_reports.report", action="circles_report.export",
                                     prefix="circles", to_text=report_csv_text)


def hidden_note(k: int) -> str:
    """The one line that says why a figure is hidden."""
    return f"Fewer than {k} students: not shown, so nobody can be recognised"


def csv_rows(found: CirclesReport) -> list[list[str]]:
    """The report's protected figures, table by table: the same strings the page shows."""
    tables = found.tables
    rows = [["table", "group", "students", "sessions", "attendances", "attendance rate"]]
    for table, part in (("participation by topic", tables.by_topic), ("participation by grade band", tables.by_band)):
        rows += [[table, row.label, *(getattr(row, name) for name in PARTICIPATION)] for row in part]
    rows += [[], ["table", "group", "students", "mean mood (1-5)", "said it helped"]]
    for table, part in (("mood and feedback by topic", tables.feelings_by_topic),
                        ("mood and feedback by the circle's grade band", tables.feelings_by_band)):
        rows += [[table, row.label, *(getattr(row, name) for name in FEELINGS)] for row in part]
    return rows


def report_csv_text(found: CirclesReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in csv_rows(found):
        writer.writerow([figure_cell(c) for c in row])
    writer.writerow([])
    writer.writerow([defused(f"School year {found.year.label}. {hidden_note(found.k)}; a figure that would let a "
                             "hidden one be worked out from the others is hidden too. Counts of students and "
                             "attendances carry a little noise.")])
    return out.getvalue()

