"""A checked roster file imported in the background: planned again under the school's lock (as of
now, not as of the check), applied, audited and its upload deleted, all in the job's transaction."""
from __future__ import annotations

from collections.abc import Callable

from schoolpeers import jobs
from schoolpeers.accounts import roster, roster_uploads
from schoolpeers.accounts.models import User
from schoolpeers.accounts.roster_bundles import open_roster
from schoolpeers.accounts.roster_files import RosterFileError
from schoolpeers.extensions import db
from schoolpeers.jobs import JobStatus

KIND = "roster.import"
AGAIN = " Nothing was imported: check the file again."


def import_checked_file(job: jobs.Job, progress: Callable[[float], None]) -> None:
    args = job.arguments
    admin = db.session.get(User, job.user_id)
    upload = roster_uploads.load(admin, args["upload"]) if admin is not None and admin.active else None
    if upload is None:
        job.finish(JobStatus.REFUSED,
                   "The checked file is no longer kept (files are kept for four hours)." + AGAIN)
        return
    job.outcome = {"file": upload.filename}
    try:
        plan = roster.plan_import(admin.school, open_roster(upload.content), to_apply=True, mode=args["mode"],
                                  acting_user=admin, override_admin=args["override_admin"])
    except RosterFileError as exc:
        job.finish(JobStatus.REFUSED, str(exc) + AGAIN, job.outcome)
        return
    progress(0.2)
    if not plan.ok:
        job.finish(JobStatus.REFUSED, f"{len(plan.problems)} rows have problems now." + AGAIN, job.outcome)
        return
    if not plan.confirmed_by(args["confirmed"]):
        job.finish(JobStatus.REFUSED, f"The file would now deactivate {plan.deactivated_students} students, "
                                      "not the number you confirmed." + AGAIN, job.outcome)
        return
    result = roster.apply_import(admin.school, plan, admin, confirmed=args["confirmed"],
                                 progress=lambda share: progress(0.2 + 0.8 * share))
    roster.audit_import(admin.school, plan, result, "upload", admin, file=upload.filename,
                        admin_decisions_overridden=bool(args["override_admin"]))
    roster_uploads.discard(upload)
    job.finish(JobStatus.DONE, describe(result.counts()), {"file": upload.filename, **result.counts()})


def describe(counts: dict) -> str:
    text = (f"Roster imported: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['deactivated']} deactivated, {counts['unchanged']} unchanged")
    return text + (f", {counts['guardians']} guardians kept for family contact." if counts["guardians"] else ".")


jobs.register(KIND, import_checked_file)
