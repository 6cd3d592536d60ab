"""The library's pages: counselors curate it; every member of the school reads its active resources."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, url_for
from flask_login import current_user

from schoolpeers.accounts.access import get_in_school_or_404, role_required
from schoolpeers.accounts.topics import list_topics
from schoolpeers.forms_common import ConfirmForm, catalogue_choices, pick
from schoolpeers.paging import counted_page
from schoolpeers.resources import services
from schoolpeers.resources.forms import ResourceForm
from schoolpeers.resources.models import Resource
from schoolpeers.web import audit, change, page_arg, school_today, show_refusal

bp = Blueprint("resources", __name__, template_folder="templates")
PER_PAGE = 25
EVERYONE = ("student", "counselor", "staff", "admin")


@bp.get("/resources")
@role_required(*EVERYONE)
def index():
    curator = current_user.role == "counselor"
    page = counted_page(services.library_query(current_user.school_id, retired=curator), page_arg(), PER_PAGE)
    return render_template("resources/index.html", page=page, curator=curator, today=school_today(),
                           review_due=services.review_due_count(current_user.school_id, school_today())
                           if curator else 0, confirm=ConfirmForm())


@bp.get("/resources/<int:resource_id>")
@role_required(*EVERYONE)
def detail(resource_id: int):
    resource = get_in_school_or_404(Resource, resource_id)
    if not resource.active and current_user.role != "counselor":
        abort(404)
    return render_template("resources/detail.html", resource=resource)


def _form(resource: Resource | None = None) -> ResourceForm:
    form = ResourceForm(obj=resource)
    form.topics.choices = catalogue_choices(list_topics(current_user.school))
    if resource is not None and not form.is_submitted():
        form.topics.data = [t.id for t in resource.topics]
    return form


def _save(form: ResourceForm, resource: Resource | None):
    data = services.ResourceData(
        title=form.title.data or "", body=form.body.data or "", review_on=form.review_on.data,
        topics=pick(list_topics(current_user.school), form.topics.data), grade_min=form.grade_min.data,
        grade_max=form.grade_max.data, link=form.link.data or "", service_name=form.service_name.data or "",
        service_contact=form.service_contact.data or "", source=form.source.data or "")
    with change(services.ResourceError, flash_refusal=False) as outcome:
        saved = services.save_resource(current_user.school, data, current_user, resource)
        audit("resource.save", record_type="resource", record_id=saved.id)
        outcome.success = f"“{saved.title}” saved."
    if outcome.refused:
        show_refusal(form, outcome.refusal)
        return None
    return redirect(url_for("resources.index"))


@bp.route("/resources/new", methods=["GET", "POST"])
@role_required("counselor")
def new():
    form = _form()
    if not form.is_submitted():
        form.review_on.data = school_today() + services.REVIEW_EVERY
    if form.validate_on_submit() and (done := _save(form, None)):
        return done
    return render_template("resources/form.html", form=form, resource=None)


@bp.route("/resources/<int:resource_id>/edit", methods=["GET", "POST"])
@role_required("counselor")
def edit(resource_id: int):
    resource = get_in_school_or_404(Resource, resource_id)
    form = _form(resource)
    if form.validate_on_submit() and (done := _save(form, resource)):
        return done
    return render_template("resources/form.html", form=form, resource=resource)


@bp.post("/resources/<int:resource_id>/active")
@role_required("counselor")
def set_active(resource_id: int):
    resource = get_in_school_or_404(Resource, resource_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        active = not resource.active
        with change() as outcome:
            services.set_active(resource, active)
            audit("resource.active", record_type="resource", record_id=resource.id, detail={"active": active})
            outcome.success = f"“{resource.title}” is {'back in' if active else 'retired from'} the library."
    return redirect(url_for("resources.index"))


@bp.post("/resources/starter-set")
@role_required("counselor")
def starter_set():
    if ConfirmForm().validate_on_submit():
        with change() as outcome:
            added = services.add_starter_set(current_user.school, current_user, school_today())
            audit("resource.starter_set", detail={"added": added})
            outcome.success = (f"{added} starter resources added: read them and make them your school's."
                               if added else "The library has every starter resource already.")
    return redirect(url_for("resources.index"))
