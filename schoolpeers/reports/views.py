"""Anonymized well-being reports for counselors and staff: the page, its chart data and exports.

Every route reads the same filter form and shows only the protected report (see services).
"""
from __future__ import annotations

from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from schoolpeers.accounts.access import role_required
from schoolpeers.extensions import db
from schoolpeers.reports import charts, exports, services
from schoolpeers.reports.forms import ReportFilterForm, report_filter_form
from schoolpeers.reports.privacy import MIN_K, explain
from schoolpeers.timeutil import today_in
from schoolpeers.web import audit

bp = Blueprint("reports", __name__, url_prefix="/reports", template_folder="templates")


@bp.before_request
@role_required("counselor", "staff")
def counselors_and_staff_only():
    """Every route of this blueprint is for counselors and staff of the signed-in school."""


@bp.context_processor
def report_helpers() -> dict:
    k = current_user.school.min_group_size if current_user.is_authenticated else MIN_K
    return {
        "explain": lambda status: explain(status, k),
        "marks": services.MARKS,
        "periods": services.PERIODS,
        "groupings": services.GROUPINGS,
        "labels": services.MEASURE_LABELS,
        "compared_measures": services.COMPARED,
    }


def filter_form() -> ReportFilterForm:
    school = current_user.school
    return report_filter_form(school, today_in(school.timezone), request.args)


def school_report(form: ReportFilterForm) -> services.SchoolReport:
    school = current_user.school
    return services.school_report(school, form.params(), today_in(school.timezone))


@bp.get("")
def index():
    form = filter_form()
    report = school_report(form) if form.validate() else None
    sections = []
    if report is not None and report.has_data():
        period_name = services.PERIODS[report.params.period].lower()
        sections = [(series, charts.line_chart(series, period_name)) for series in report.measures()]
    return render_template("reports/index.html", form=form, report=report, sections=sections)


@bp.get("/export.<any(csv, xlsx):fmt>")
def export(fmt: str):
    form = filter_form()
    if not form.validate():
        flash("Some filters need fixing before the report can be downloaded.", "error")
        return redirect(url_for("reports.index") + "?" + request.query_string.decode())
    report = school_report(form)
    content, mimetype, filename = exports.render(report, fmt)
    audit("reports.export", detail=exports.audit_detail(report, fmt))
    db.session.commit()
    return Response(content, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/data.json")
def data():
    form = filter_form()
    if not form.validate():
        return jsonify(errors=form.errors), 400
    return jsonify(school_report(form).as_json())
