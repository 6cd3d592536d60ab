"""The district's roll-up report: the trend measures by school, grade band and period, protected."""
from __future__ import annotations

import csv
import io
import re
from datetime import date

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup
from wtforms import SelectField

from schoolpeers import jobs
from schoolpeers.accounts.access import role_required
from schoolpeers.districts import rollup as service
from schoolpeers.districts import rollup_builds
from schoolpeers.districts.access import current_district
from schoolpeers.extensions import limit_exports_per_person
from schoolpeers.forms_common import choices
from schoolpeers.reports import charts
from schoolpeers.reports.exports import FORMATS, NUMBER_FORMATS, safe_text
from schoolpeers.reports.forms import PeriodRangeForm
from schoolpeers.reports.privacy import MEASURES, CellStatus, explain
from schoolpeers.reports.report import MARKS, Line, MeasureSeries
from schoolpeers.reports.services import MEASURE_LABELS
from schoolpeers.web import audit, change, school_today

bp = Blueprint("district_reports", __name__, url_prefix="/district/reports", template_folder="templates")
ROLLUP_ROLES = rollup_builds.ROLLUP_ROLES
LEVELS = {"month": "Month", "term": "Term", "year": "School year"}
ALL_MEASURES = "all"
DEFAULT_MONTHS = 12
CACHE = "district_reports.cache"
ROLLUPS_KEPT = 8  # decoded stored roll-ups; one of 50 schools is a few megabytes


@bp.record_once
def create_cache(state) -> None:
    """One cache per application, so that an application never serves another's roll-ups."""
    state.app.extensions[CACHE] = service.RollupCache(size=ROLLUPS_KEPT)


class RollupFilterForm(PeriodRangeForm):
    """The roll-up's filter: a level of periods, a measure (or all), and the range of `PeriodRangeForm`."""

    level = SelectField("Period", choices=choices(LEVELS.items()), default="term")
    measure = SelectField("Measure", choices=choices([(ALL_MEASURES, "All measures"), *MEASURE_LABELS.items()]),
                          default=ALL_MEASURES)

    def measures(self) -> list[str]:
        return list(MEASURE_LABELS) if self.measure.data == ALL_MEASURES else [self.measure.data]

    def args(self) -> dict[str, str]:
        args = {"level": self.level.data, "measure": self.measure.data}
        return args | {name: self[name].data.isoformat() for name in ("date_from", "date_to") if self[name].data}


def filter_form(today: date) -> RollupFilterForm:
    form = RollupFilterForm(request.args)
    form.latest = date(today.year + 1, 12, 31)
    return form


def latest_rollup(today: date) -> rollup_builds.Latest:
    """The district's newest stored roll-up; a build is asked for when the schools' data moved on since
    (where jobs run inline, it runs now and the answer is current)."""
    current_district()  # refuses anyone outside a district's office
    cache, office = current_app.extensions[CACHE], current_user.school
    latest = rollup_builds.latest(cache, office, today)
    if not latest.current:
        with change():
            job = rollup_builds.start_build(current_user, today)
        if job is not None:
            jobs.enqueue(job)
            latest = rollup_builds.latest(cache, office, today)
    return latest


@bp.route("/")
@role_required(*ROLLUP_ROLES)
def index():
    district = current_district()
    today = school_today()
    form = filter_form(today)
    latest = found = shown = default_start = None
    sections, export_args = [], {}
    if form.validate():
        latest = latest_rollup(today)
        found = latest.found
    if found:
        default_start = None if form.date_from.data else service.default_first(found, form.level.data, DEFAULT_MONTHS)
        shown = service.slice_rollup(found, form.level.data, form.date_from.data or default_start, form.date_to.data,
                                     form.measures())
        sections = [(m, _chart(shown, m)) for m in shown.measures]
        export_args = form.args() | ({"date_from": default_start.isoformat()} if default_start else {})
    notes = _notes(found.k if found else district.min_group_size)
    return render_template("districts/report.html", district=district, form=form, latest=latest, found=found,
                           shown=shown, sections=sections, export_args=export_args, default_start=default_start,
                           default_months=DEFAULT_MONTHS, labels=MEASURE_LABELS, levels=LEVELS, marks=MARKS,
                           notes=notes, notes_by_status=dict(notes))


@bp.route("/export.<any(csv, xlsx):fmt>")
@role_required(*ROLLUP_ROLES)
@limit_exports_per_person()
def export(fmt: str):
    today = school_today()
    form = filter_form(today)
    if not form.validate():
        flash("Some filters need fixing before the report can be downloaded.", "error")
        return redirect(url_for("district_reports.index", **{k: v for k, v in request.args.items()}))
    found = latest_rollup(today).found
    if found is None:
        flash("The roll-up is being prepared: download it once the page shows it.", "info")
        return redirect(url_for("district_reports.index", **{k: v for k, v in request.args.items()}))
    shown = service.slice_rollup(found, form.level.data, form.date_from.data, form.date_to.data, form.measures())
    content = to_csv(found, shown) if fmt == "csv" else to_xlsx(found, shown)
    with change():
        audit("district_reports.export", record_type="district", record_id=current_district().id,
              detail={"format": fmt, "filters": form.args(), "k": found.k})
    slug = re.sub(r"[^A-Za-z0-9-]+", "-", found.district_slug)
    filename = f"wellbeing-{slug}-rollup-{shown.level}-{today:%Y%m%d}.{fmt}"
    return Response(content, mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def _chart(shown: service.RollupSlice, measure: str) -> Markup:
    """The district's rows over the periods (the schools' rows are in the table)."""
    lines = [Line(shown.rows[r], [c[2] for c in shown.measures[measure][r]], [c[0] for c in shown.measures[measure][r]],
                  [c[1] for c in shown.measures[measure][r]]) for r in shown.district_rows]
    series = MeasureSeries(measure, MEASURE_LABELS[measure], MEASURES[measure], shown.periods, lines)
    return charts.line_chart(series, LEVELS[shown.level].lower())


def _notes(k: int) -> list[tuple[str, str]]:
    return [(status, explain(status, k)) for status in (CellStatus.HIDDEN, CellStatus.CODED)]


# --- files ----------------------------------------------------------------------------------------


def _header(found: service.DistrictRollup, shown: service.RollupSlice) -> list[str]:
    return ["Anonymized well-being roll-up", f"district: {found.district_name}", f"period: {LEVELS[shown.level]}",
            f"from: {shown.periods[0] if shown.periods else '–'}", f"to: {shown.periods[-1] if shown.periods else '–'}",
            f"k: {found.k} (district values from fewer than {found.k} students are hidden; a school's values "
            "are as its own report shows them)",
            *([f"reports with differential privacy only: {', '.join(found.left_out)}"] if found.left_out else []),
            f"generated: {found.generated_on:%Y-%m-%d}"]


def _table(shown: service.RollupSlice) -> tuple[list[str], list[list]]:
    columns = ["group", "period", *(MEASURE_LABELS[m] for m in shown.measures)]
    rows = [[group, period, *(shown.measures[m][r][c] for m in shown.measures)]
            for r, group in enumerate(shown.rows) for c, period in enumerate(shown.periods)]
    return columns, rows


def to_csv(found: service.DistrictRollup, shown: service.RollupSlice) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    columns, rows = _table(shown)
    writer.writerow(map(safe_text, _header(found, shown)))
    writer.writerow([])
    writer.writerow(map(safe_text, columns))
    writer.writerows([safe_text(c[0] if isinstance(c, tuple) else c) for c in row] for row in rows)
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read ≤, ≥ and – right


def to_xlsx(found: service.DistrictRollup, shown: service.RollupSlice) -> bytes:
    """One sheet: shown figures as numbers with their format, hidden and coded ones as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Roll-up"
    workbook.properties.creator = "schoolpeers"
    columns, rows = _table(shown)
    sheet.append([safe_text(t) for t in _header(found, shown)])
    sheet.append([])
    sheet.append([safe_text(t) for t in columns])
    kinds = [MEASURES[m] for m in shown.measures]
    for row in rows:
        cells = [safe_text(row[0]), safe_text(row[1])]
        formats = [None, None]
        for (text, status, value), kind in zip(row[2:], kinds, strict=True):
            number = status == CellStatus.SHOWN and value is not None
            cells.append(value if number else safe_text(text))
            formats.append(NUMBER_FORMATS[kind] if number else None)
        sheet.append(cells)
        for written, number_format in zip(sheet[sheet.max_row], formats, strict=False):
            if number_format:
                written.number_format = number_format
    for cell in (*sheet[1], *sheet[3]):
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C4"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
