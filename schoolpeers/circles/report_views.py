"""The circles report: participation, mood rounds and feedback by topic and grade band, protected like
every report; for counselors and staff, with its CSV. Of a school year that has ended only, as first
published (`report.published_report`)."""
from __future__ import annotations

import csv
import io
from datetime import date

from flask import Blueprint, Response, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from schoolpeers.accounts.access import role_required
from schoolpeers.accounts.models import School
from schoolpeers.circles import report
from schoolpeers.circles.report import CirclesReport
from schoolpeers.extensions import limit_exports_per_person
from schoolpeers.reports.export_jobs import REPORT_ROLES
from schoolpeers.reports.privacy import CellStatus, explain
from schoolpeers.reports.services import report_secret
from schoolpeers.reports.trends import PeriodSlot
from schoolpeers.reports.yearly import chosen_year
from schoolpeers.spreadsheet import defused
from schoolpeers.web import audit, change, school_today

bp = Blueprint("circle_reports", __name__, template_folder="templates")
PARTICIPATION = ("students", "sessions", "attendances", "attendance_rate")
FEELINGS = ("students", "mood", "helped")


def _chosen_year() -> tuple[School, date, PeriodSlot, list[PeriodSlot]]:
    """The school year asked for (see `yearly.chosen_year`)."""
    school = current_user.school
    today = school_today()
    years = report.school_years(school, today)
    return school, today, chosen_year(years, today), years


def _release(school: School, today: date, year: PeriodSlot) -> CirclesReport:
    """The year's published report, stored (in the view's change) the first time it is asked for."""
    return report.published_report(school, year, today, report_secret(current_app.config["SECRET_KEY"], school))


@bp.get("/reports/circles", endpoint="report")
@role_required(*REPORT_ROLES)
def report_page():
    school, today, year, years = _chosen_year()
    found = None
    reason = report.unpublished_reason(school, year, today)
    if reason is None:
        with change():  # the release this view made, the first time the year is asked for
            found = _release(school, today, year)
    k = found.k if found else school.min_group_size
    return render_template("circles/report.html", report=found, year=year, years=years, unpublished=reason,
                           hidden_note=hidden_note(k), hidden_title=explain(CellStatus.HIDDEN, k))


@bp.get("/reports/circles.csv")
@role_required(*REPORT_ROLES)
@limit_exports_per_person()
def report_csv():
    school, today, year, _ = _chosen_year()
    if (reason := report.unpublished_reason(school, year, today)) is not None:
        flash(reason, "info")
        return redirect(url_for("circle_reports.report", year=year.label))
    with change():
        found = _release(school, today, year)
        audit("circles_report.export", detail={"year": found.year.label})
    filename = f"circles-{school.slug}-{found.year.label}.csv"
    return Response(report_csv_text(found).encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


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
        writer.writerow([_cell(c) for c in row])
    writer.writerow([])
    writer.writerow([defused(f"School year {found.year.label}. {hidden_note(found.k)}; a figure that would let a "
                             "hidden one be worked out from the others is hidden too. Counts of students and "
                             "attendances carry a little noise.")])
    return out.getvalue()


def _cell(text: str) -> str:
    """A figure as it is ("3.5" is a number, not a formula); any other text defused."""
    try:
        float(text)
    except ValueError:
        return defused(text)
    return text
