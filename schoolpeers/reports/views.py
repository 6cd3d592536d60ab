"""Anonymized well-being reports for counselors and staff: the page, its chart data and exports.

Every route reads the same filter form and shows a slice of the school's one protected lattice
(see services and report), taken from the application's cache (see cache) while its data has not
changed. The page and its chart data cover the last `DEFAULT_MONTHS` months of published periods
when no start date is chosen; exports cover exactly the dates chosen, and the page's download
links carry the dates it shows.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from schoolpeers import jobs
from schoolpeers.accounts.access import role_required
from schoolpeers.extensions import limit_exports_per_person
from schoolpeers.reports import charts, export_jobs, exports, services
from schoolpeers.reports.cache import CachedReport, LatticeKey, ReportCache, ReportKey
from schoolpeers.reports.forms import ReportFilterForm, report_filter_form
from schoolpeers.reports.loading import data_extent
from schoolpeers.reports.privacy import MIN_K, CellStatus, explain
from schoolpeers.reports.report import COMPARED, GROUPINGS, MARKS, PERIODS, SchoolReport
from schoolpeers.timeutil import today_in
from schoolpeers.web import audit, change

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")
CACHE = "reports.cache"
DEFAULT_MONTHS = 12  # the page's first view: a year is what a counselor reads first


@bp.record_once
def create_cache(state) -> None:
    """One cache per application, so that an application never serves another's reports."""
    state.app.extensions[CACHE] = ReportCache()


@bp.before_request
@role_required(*export_jobs.REPORT_ROLES)
def counselors_and_staff_only():
    """Every route of this blueprint is for counselors and staff of the signed-in school."""


@bp.context_processor
def report_helpers() -> dict:
    k = current_user.school.min_group_size if current_user.is_authenticated else MIN_K
    sentences = {status: explain(status, k) for status in CellStatus}  # a report page asks thousands of times
    return {
        "explain": sentences.__getitem__,
        "marks": MARKS,
        "periods": PERIODS,
        "groupings": GROUPINGS,
        "labels": services.MEASURE_LABELS,
        "severities": services.SEVERITY_LABELS,
        "compared_measures": COMPARED,
    }


def filter_form() -> ReportFilterForm:
    school = current_user.school
    return report_filter_form(school, today_in(school.timezone), request.args)


def cached_report(form: ReportFilterForm, *, default_range: bool) -> CachedReport:
    """The signed-in school's report for the form's choices (with the page's default range if asked),
    from the cache while the school's data stays the same."""
    school = current_user.school
    today = today_in(school.timezone)
    params = form.params()
    default_months = DEFAULT_MONTHS if default_range else None
    if services.uses_differential_privacy(school):  # releases are few rows, made once: nothing to cache
        with change():  # the releases this view made
            protected = services.released_lattice(school, today)
        return CachedReport(services.school_report(school, protected, params, today, default_months=default_months))
    cache: ReportCache = current_app.extensions[CACHE]
    lattice_key = LatticeKey.of(school, data_extent(school), params.source)

    def build() -> SchoolReport:
        secret = services.report_secret(current_app.config["SECRET_KEY"], school)
        protected = cache.lattice(lattice_key, lambda: services.protected_lattice(school, secret, params.source))
        return services.school_report(school, protected, params, today, default_months=default_months)

    return cache.report(ReportKey(lattice_key, params, default_range, today), build)


def report_section(report: SchoolReport) -> Markup:
    """The page's report: summary, trend, topics, comparison and a chart and table per measure."""
    sections = []
    if report.has_data():
        period_name = PERIODS[report.params.period].lower()
        sections = [(series, charts.line_chart(series, period_name)) for series in report.measures()]
    return Markup(render_template("reports/_report.html", report=report, sections=sections))


def sized_report(form: ReportFilterForm, *, default_range: bool) -> CachedReport | None:
    """The report for valid filters that is not too large to make; otherwise None, with the reason
    next to the field that decides its size most."""
    if not form.validate():
        return None
    entry = cached_report(form, default_range=default_range)
    if problem := entry.report.size_problem():
        form.period.errors.append(problem)
        return None
    return entry


@bp.get("")
def index():
    form = filter_form()
    entry = sized_report(form, default_range=True)
    report = entry.report if entry else None
    export_args = form.args()
    default_start = None
    if report is not None and report.has_data() and form.date_from.data is None:  # the default range applies
        default_start = report.slots[0].start
        export_args["date_from"] = default_start.isoformat()
    return render_template("reports/index.html", form=form, report=report, export_args=export_args,
                           default_start=default_start, default_months=DEFAULT_MONTHS,
                           report_section=entry.made("page", report_section) if entry else "")


@bp.get("/export.<any(csv, xlsx):fmt>")
@limit_exports_per_person()
def export(fmt: str):
    form = filter_form()
    entry = sized_report(form, default_range=False)
    if entry is None:
        flash("Some filters need fixing before the report can be downloaded.", "error")
        return redirect(url_for("reports.index") + "?" + request.query_string.decode())
    report = entry.report
    if report.cells > current_app.config["REPORT_EXPORT_INLINE_CELLS"]:  # made in the background
        with change():
            job = jobs.start(export_jobs.KIND, current_user, {"fmt": fmt, "filters": form.args()})
        jobs.enqueue(job)
        return redirect(url_for("reports.job", job_id=job.id))
    content, mimetype, filename = exports.render(report, fmt)
    with change():
        audit("reports.export", detail=exports.audit_detail(report, fmt))
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/data.json")
def data():
    form = filter_form()
    entry = sized_report(form, default_range=True)
    if entry is None:
        return jsonify(errors=form.errors), 400
    return jsonify(entry.made("json", SchoolReport.as_json))


@bp.get("/exports/<job_id>")
def job(job_id: str):
    """A large export being made; the file once it is ready."""
    found = _own_export_job(job_id)
    return render_template("reports/job.html", job=found, progress=jobs.progress_of(found),
                           ready=found.status == jobs.JobStatus.DONE and export_jobs.file_of(found) is not None)


@bp.get("/exports/<job_id>/file")
def job_file(job_id: str):
    kept = export_jobs.file_of(_own_export_job(job_id))
    if kept is None:
        abort(404)
    return Response(kept.content, mimetype=kept.mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{kept.filename}"'})


def _own_export_job(job_id: str) -> jobs.Job:
    found = jobs.load_own(current_user, job_id[:48])
    if found is None or found.kind != export_jobs.KIND:
        abort(404)
    return found
