"""The pages of a report published once per ended school year (the outcomes and circles reports):
the year asked for, its release made in the view's change the first time, and its CSV. `source` is the
module that makes the report: `school_years`, `unpublished_reason` and `published_report`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import ModuleType

from flask import Response, current_app, flash, redirect, request, url_for
from flask_login import current_user

from schoolpeers.accounts.models import School
from schoolpeers.reports.services import report_secret
from schoolpeers.reports.trends import PeriodSlot
from schoolpeers.spreadsheet import defused
from schoolpeers.web import audit, change, school_today


@dataclass
class YearAsked:
    school: School
    today: date
    year: PeriodSlot
    years: list[PeriodSlot]
    reason: str | None  # why the year is not published; None when it is


def year_asked(source: ModuleType) -> YearAsked:
    """The year a page asks for (`?year=2024-25`); by default the newest that has ended (the newest at
    all if none has)."""
    school, today = current_user.school, school_today()
    years = source.school_years(school, today)
    ended = [slot for slot in years if slot.end < today]
    asked = request.args.get("year", "")
    year = next((slot for slot in years if slot.label == asked), (ended or years)[0])
    return YearAsked(school, today, year, years, source.unpublished_reason(school, year, today))


def _release(source: ModuleType, asked: YearAsked):
    return source.published_report(asked.school, asked.year, asked.today,
                                   report_secret(current_app.config["SECRET_KEY"], asked.school))


def published(source: ModuleType, asked: YearAsked):
    """The year's published report, stored (in the view's change) the first time it is asked for; None
    when the year is not published."""
    if asked.reason is not None:
        return None
    with change():
        return _release(source, asked)


def csv_download(source: ModuleType, *, page: str, action: str, prefix: str, to_text) -> Response:
    """The year's report as CSV (with a BOM, so Excel reads ≥ and – right), audited; a year not
    published goes back to its page (`page`, an endpoint) with the reason."""
    asked = year_asked(source)
    if asked.reason is not None:
        flash(asked.reason, "info")
        return redirect(url_for(page, year=asked.year.label))
    with change():
        found = _release(source, asked)
        audit(action, detail={"year": found.year.label})
    filename = f"{prefix}-{asked.school.slug}-{found.year.label}.csv"
    return Response(to_text(found).encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def figure_cell(text: str) -> str:
    """A CSV cell: a figure as it is ("-2.5" is a number, not a formula); any other text defused."""
    try:
        float(text)
    except ValueError:
        return defused(text)
    return text
