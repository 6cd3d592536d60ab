"""`flask reports export`: the same anonymized report as the page, to a file.

The options go through the page's filter form and the file is made by the page's export code, so
the command can produce nothing the download buttons could not.
"""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from schoolpeers.accounts.models import School
from schoolpeers.audit import record_event
from schoolpeers.extensions import db
from schoolpeers.reports import exports, services
from schoolpeers.reports.forms import report_filter_form
from schoolpeers.reports.report import GROUPINGS, PERIODS, SOURCES
from schoolpeers.timeutil import today_in

reports_cli = AppGroup("reports", help="Anonymized well-being reports.")
OPTION_NAMES = {"period": "--period", "group": "--group", "date_from": "--from", "date_to": "--to",
                "grades": "--grades", "source": "--checkins"}


@reports_cli.command("export")
@click.option("--school", "school_slug", required=True, help="The school's short name (slug).")
@click.option("--period", type=click.Choice(list(PERIODS)),
              help="By default month, or term for a school under differential privacy.")
@click.option("--group", type=click.Choice(list(GROUPINGS)), default="grade", show_default=True)
@click.option("--format", "fmt", type=click.Choice(list(exports.FORMATS)),
              help="File format; by default from the --out file's extension.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@click.option("--from", "date_from", metavar="YYYY-MM-DD", help="First day (widened to its period).")
@click.option("--to", "date_to", metavar="YYYY-MM-DD", help="Last day, included (widened to its period).")
@click.option("--grades", metavar="all|7|6-8", default="all", show_default=True,
              help="All grades, one grade or one band of grades.")
@click.option("--checkins", "source", type=click.Choice(list(SOURCES)), default="mentors", show_default=True,
              help="Whose check-ins: the mentors' or the students' own.")
def export_command(school_slug: str, period: str, group: str, fmt: str | None, out: Path,
                   date_from: str | None, date_to: str | None, grades: str | None, source: str) -> None:
    """Write the report, the same published cells as the page, to a CSV or XLSX file."""
    school = db.session.scalar(select(School).where(School.slug == school_slug))
    if school is None:
        raise click.ClickException(f"No school with the short name {school_slug!r}.")
    fmt = fmt or out.suffix.lstrip(".").lower()
    if fmt not in exports.FORMATS:
        raise click.ClickException("Give --format csv or xlsx, or an --out file ending in .csv or .xlsx.")
    today = today_in(school.timezone)
    form = report_filter_form(school, today, MultiDict([
        *((("period", period),) if period else ()), ("group", group), ("grades", grades.strip()), ("source", source),
        *((name, value) for name, value in (("date_from", date_from), ("date_to", date_to)) if value),
    ]))
    if not form.validate():
        raise click.ClickException(" ".join(
            f"{OPTION_NAMES[name]}: {' '.join(errors)}" for name, errors in form.errors.items()))
    report = services.uncached_report(school, form.params(), today, current_app.config["SECRET_KEY"])
    if problem := report.size_problem():
        raise click.ClickException(problem)
    content, _mimetype, _filename = exports.render(report, fmt)
    # On record before the file exists, as for a download: an export that fails half way still counts.
    record_event("reports.export", school_id=school.id,
                 detail={**exports.audit_detail(report, fmt), "source": "command line"})
    db.session.commit()
    out.write_bytes(content)
    protection = report.protected.notice or f"cells of fewer than {report.k} students hidden"
    click.echo(f"Wrote {out} ({fmt}, {report.params.period} by {report.params.group}, "
               f"{len(report.periods)} periods; {protection})")
