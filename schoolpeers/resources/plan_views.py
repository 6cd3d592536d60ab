"""Pages of the library's session plans: counselors read, write, retire and load the starter plans."""
from __future__ import annotations

from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.accounts.topics import list_topics
from schoolpeers.forms_common import ConfirmForm
from schoolpeers.paging import counted_page
from schoolpeers.resources import plans
from schoolpeers.resources.models import SessionPlan
from schoolpeers.resources.plan_forms import ANY_CIRCLE, PlanForm
from schoolpeers.web import audit, change, counted, page_arg, show_refusal

bp = Blueprint("plans", __name__, template_folder="templates")
PER_PAGE = 25


@bp.get("/library/plans")
@role_required("counselor")
def index():
    school_id = current_user.school_id
    active = counted_page(plans.plans_query(school_id), page_arg("page"), PER_PAGE)
    retired = counted_page(plans.plans_query(school_id, retired=True), page_arg("retired_page"), PER_PAGE)
    return render_template("plans/index.html", active=active, retired=retired,
                           missing=plans.starter_plans_missing(school_id),
                           pages={"page": active.page, "retired_page": retired.page})


def _plan_or_404(plan_id: int) -> SessionPlan:
    return get_in_school_or_404(SessionPlan, plan_id, selectinload(SessionPlan.topic))


@bp.get("/library/plans/<int:plan_id>")
@role_required("counselor")
def detail(plan_id: int):
    return render_template("plans/detail.html", plan=_plan_or_404(plan_id))


def _form(plan: SessionPlan | None = None) -> PlanForm:
    form = PlanForm(obj=plan)
    form.set_topics(list_topics(current_user.school))
    if not form.is_submitted():
        form.topic_id.data = (plan.topic_id if plan else None) or ANY_CIRCLE
        form.minutes.data = plan.minutes if plan else 45  # most sessions fit a school lesson
    return form


def _save(form: PlanForm, plan: SessionPlan | None):
    data = plans.PlanData(
        title=form.title.data or "", opening_round=form.opening_round.data or "", activity=form.activity.data or "",
        coping_skill=form.coping_skill.data or "", closing_round=form.closing_round.data or "",
        minutes=form.minutes.data, topic_id=form.topic_id.data or None, source=form.source.data or "")
    with change(plans.PlanError, flash_refusal=False) as outcome:
        saved = plans.save_plan(current_user.school, data, current_user, plan)
        audit("session_plan.save", record_type="session_plan", record_id=saved.id)
        outcome.success = f"“{saved.title}” saved."
    if outcome.refused:
        show_refusal(form, outcome.refusal)
        return None
    return redirect(url_for("plans.detail", plan_id=saved.id))


def _page(form: PlanForm, plan: SessionPlan | None):
    return render_template("plans/form.html", form=form, plan=plan), (400 if form.errors else 200)


@bp.route("/library/plans/new", methods=["GET", "POST"])
@role_required("counselor")
def new():
    form = _form()
    if form.validate_on_submit() and (done := _save(form, None)):
        return done
    return _page(form, None)


@bp.route("/library/plans/<int:plan_id>/edit", methods=["GET", "POST"])
@role_required("counselor")
def edit(plan_id: int):
    plan = _plan_or_404(plan_id)
    form = _form(plan)
    if form.validate_on_submit() and (done := _save(form, plan)):
        return done
    return _page(form, plan)


@bp.post("/library/plans/<int:plan_id>/active")
@role_required("counselor")
def set_active(plan_id: int):
    plan = _plan_or_404(plan_id)
    if ConfirmForm().validate_on_submit():
        active = not plan.active
        with change() as outcome:
            plans.set_active(plan, active)
            audit("session_plan.active", record_type="session_plan", record_id=plan.id, detail={"active": active})
            outcome.success = (f"“{plan.title}” is back in the library." if active else
                               f"“{plan.title}” is retired: no new session will use it.")
    return redirect(url_for("plans.index"))


@bp.post("/library/plans/starter")
@role_required("counselor")
def starter_set():
    if ConfirmForm().validate_on_submit():
        with change() as outcome:
            added = plans.add_starter_plans(current_user.school, current_user)
            audit("session_plan.starter_set", detail={"added": added})
            outcome.success = (f"{counted(added, 'starter plan')} added: read them and make them your school's."
                               if added else "The library has every starter plan already.")
    return redirect(url_for("plans.index"))
