"""A student's "Download my data", and an admin's erasure of a student's personal data."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from schoolpeers.accounts.access import get_user_or_404, role_required
from schoolpeers.privacy.erasure import ERASURE_MODES, ErasureError, erase_student
from schoolpeers.privacy.forms import EraseForm
from schoolpeers.privacy.my_data import data_of
from schoolpeers.timeutil import utcnow
from schoolpeers.web import audit, change, school_today

bp = Blueprint("privacy", __name__, template_folder="templates")


@bp.get("/account/my-data")
@role_required("student")
def my_data():
    body = json.dumps(data_of(current_user, utcnow()), ensure_ascii=False, indent=2)
    with change():
        audit("privacy.my_data", record_type="user", record_id=current_user.id)
    filename = f"schoolpeers-my-data-{school_today():%Y-%m-%d}.json"
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/admin/users/<int:user_id>/erase", methods=["GET", "POST"])
@role_required("admin")
def erase(user_id: int):
    student = get_user_or_404(user_id)
    if student.role != "student":
        abort(404)  # only students' data is erased here
    if student.erased_at is not None:
        flash("This student's personal data has already been erased.", "info")
        return redirect(url_for("admin.user_detail", user_id=student.id))
    form = EraseForm()
    if form.validate_on_submit() and form.confirms(student.username):
        reason = form.reason.data.strip()
        with change(ErasureError) as outcome:
            result = erase_student(student, reason=reason, actor=current_user, now=utcnow())
            # The reason is the admin's words for the record; counts and ids only, no personal data.
            audit("user.erase", record_type="user", record_id=student.id,
                  detail={"reason": reason, "mode": result.mode, "counts": result.counts})
            outcome.success = "The student's personal data was erased. The account is now an anonymous record."
        if not outcome.refused:
            return redirect(url_for("admin.user_detail", user_id=student.id))
    mode = current_user.school.erasure_mode
    return render_template("privacy/erase.html", student=student, form=form,
                           mode_label=ERASURE_MODES[mode])
