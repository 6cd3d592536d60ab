"""Large report exports, made in the background: the page's download starts a job, and its page
offers the file when it is ready. Its maker downloads it for a day (`ExportFile`)."""
from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import current_app
from sqlalchemy import delete, select
from werkzeug.datastructures import MultiDict

from schoolpeers import jobs
from schoolpeers.accounts.models import User
from schoolpeers.audit import record_event
from schoolpeers.extensions import db
from schoolpeers.jobs import JobStatus
from schoolpeers.reports import exports, services
from schoolpeers.reports.forms import report_filter_form
from schoolpeers.reports.models import ExportFile
from schoolpeers.timeutil import today_in, utcnow

KIND = "reports.export"
KEPT_FOR = timedelta(days=1)
REPORT_ROLES = ("counselor", "staff")  # who reads the reports (the views ask the same)


def make_file(job: jobs.Job, progress: Callable[[float], None]) -> None:
    person = db.session.get(User, job.user_id)
    if person is None or not person.active or person.role not in REPORT_ROLES:
        job.finish(JobStatus.REFUSED, "Your account can no longer download reports.")
        return
    school, fmt = person.school, job.arguments["fmt"]
    today = today_in(school.timezone)
    form = report_filter_form(school, today, MultiDict(job.arguments["filters"]))
    if not form.validate():  # the school's grades changed since: the filters no longer apply
        job.finish(JobStatus.REFUSED,
                   "The filters no longer fit the school's grades. Choose them again on the page.")
        return
    report = services.uncached_report(school, form.params(), today, current_app.config["SECRET_KEY"])
    if problem := report.size_problem():
        job.finish(JobStatus.REFUSED, problem)
        return
    progress(0.5)
    content, mimetype, filename = exports.render(report, fmt)
    record_event("reports.export", school_id=school.id, actor_id=person.id,
                 detail={**exports.audit_detail(report, fmt), "source": "background"})
    db.session.add(ExportFile(job_id=job.id, school_id=school.id, filename=filename, mimetype=mimetype,
                              content=content))
    job.finish(JobStatus.DONE, f"Your file is ready: {filename}.", {"file": filename})


def file_of(job: jobs.Job) -> ExportFile | None:
    """The finished job's file while it is kept."""
    return db.session.scalar(select(ExportFile).where(
        ExportFile.job_id == job.id, ExportFile.school_id == job.school_id,
        ExportFile.created_at >= utcnow() - KEPT_FOR))


def discard_old(now=None) -> int:
    """Remove files kept longer than a day; how many."""
    cutoff = (now or utcnow()) - KEPT_FOR
    return db.session.execute(delete(ExportFile).where(ExportFile.created_at < cutoff)).rowcount


jobs.register(KIND, make_file)
