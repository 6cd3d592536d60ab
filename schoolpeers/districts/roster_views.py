"""District roster sync: one OneRoster bundle for every school of the district."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

from schoolpeers.accounts import roster_uploads
from schoolpeers.accounts.access import role_required
from schoolpeers.accounts.roster_files import RosterFileError
from schoolpeers.districts import roster
from schoolpeers.districts.access import current_district
from schoolpeers.districts.forms import DistrictRosterApplyForm, DistrictRosterUploadForm
from schoolpeers.web import audit, change

bp = Blueprint("district_roster", __name__, url_prefix="/district/roster", template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
@role_required("district_admin")
def upload():
    district = current_district()
    form = DistrictRosterUploadForm()
    if form.validate_on_submit():
        content = form.file.data.read()
        try:
            run = roster.run_district(district, content, mode=form.mode.data, dry_run=True)
        except RosterFileError as exc:
            form.file.errors.append(str(exc))
        else:
            importable = any(one.plan is not None and one.plan.ok for one in run.schools)
            filename = (form.file.data.filename or "roster.zip")[:200]
            with change():
                kept = roster.keep(current_user, filename, content) if importable else None
                page = render_template("districts/roster_preview.html", run=run, filename=filename,
                                       apply_form=DistrictRosterApplyForm(upload=kept and kept.id,
                                                                          mode=form.mode.data))
            return page
    return render_template("districts/roster_upload.html", form=form, district=district)


@bp.route("/apply", methods=["POST"])
@role_required("district_admin")
def apply():
    """Import the checked bundle, each school in its own transaction (as `flask roster import` does);
    a school held by its deactivation limit is left for its own admin to confirm."""
    district = current_district()
    form = DistrictRosterApplyForm()
    upload = roster_uploads.load(current_user, form.upload.data) if form.validate_on_submit() else None
    if upload is None:
        flash("Upload the bundle again to import it: a checked file is kept for four hours.", "error")
        return redirect(url_for("district_roster.upload"))
    content, filename = upload.content, upload.filename
    try:
        run = roster.run_district(district, content, mode=form.mode.data, dry_run=False)
    except RosterFileError as exc:
        flash(str(exc), "error")
        return redirect(url_for("district_roster.upload"))
    with change():
        upload = roster_uploads.load(current_user, form.upload.data)
        if upload is not None:
            roster_uploads.discard(upload)
        audit("district.roster_import", record_type="district", record_id=district.id, detail={
            "file": filename, "mode": form.mode.data, "schools": [one.school.id for one in run.schools],
            "imported": [one.school.id for one in run.schools if one.result is not None]})
    return render_template("districts/roster_result.html", run=run, filename=filename)
