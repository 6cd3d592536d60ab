"""Account changes that wait for a second person: asked for by an admin, decided by a counselor."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import current_user

from schoolpeers.accounts import approvals
from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.accounts.models import AccountApproval, User
from schoolpeers.forms_common import ConfirmForm
from schoolpeers.mail import send_mail
from schoolpeers.web import absolute_url, audit, change

bp = Blueprint("approvals", __name__, url_prefix="/approvals", template_folder="templates")


def ask_and_tell(kind: str, user: User) -> None:
    """For an admin's view: record the request (once), commit, tell the owner and the approvers."""
    with change():
        approval = approvals.ask(kind, user, current_user)
        audit("approval.asked", record_type="user", record_id=user.id, detail={"kind": kind, "approval": approval.id})
    for notice in approvals.notices_of_request(approval, absolute_url("approvals.index")):
        send_mail(current_app.config, *notice)
    flash(f"A counselor must approve this: nothing changes until then. {user.display_name} is told by email "
          "when they have one.", "info")


@bp.before_request
@role_required(approvals.APPROVER_ROLE)
def counselors_only():
    """Only counselors decide; who may decide which request is approvals.why_not_approver."""


@bp.get("")
def index():
    waiting = [(a, approvals.why_not_approver(current_user, a))
               for a in approvals.pending_in_school(current_user.school_id)]
    return render_template("approvals/index.html", waiting=waiting, describe=approvals.describe)


@bp.post("/<int:approval_id>/approve")
def approve(approval_id: int):
    return _decide(approval_id, approve=True)


@bp.post("/<int:approval_id>/refuse")
def refuse(approval_id: int):
    return _decide(approval_id, approve=False)


def _decide(approval_id: int, *, approve: bool):
    approval = get_in_school_or_404(AccountApproval, approval_id)
    if not ConfirmForm().validate_on_submit():
        flash("The form expired; please try again.", "error")
        return redirect(url_for("approvals.index"))
    what = approvals.describe(approval)
    with change(approvals.services.AccountError) as outcome:
        setup_token = approvals.decide(approval, current_user, approve=approve,
                                       secret_key=current_app.config["SECRET_KEY"])
        audit(f"approval.{approval.status}", record_type="user", record_id=approval.user_id,
              detail={"kind": approval.kind, "approval": approval.id})
        outcome.success = f"{'Approved and done' if approve else 'Refused'}: {what}."
    if outcome.refused:
        return redirect(url_for("approvals.index"))
    for notice in approvals.notices_of_decision(approval):
        send_mail(current_app.config, *notice)
    if setup_token:
        return render_template("approvals/setup_link.html", user=approval.user, kind=approval.kind,
                               link=absolute_url("accounts.setup", token=setup_token))
    return redirect(url_for("approvals.index"))
