"""Provisioning: a district admin creates a school with its first admin, appoints admins, archives."""
from __future__ import annotations

from flask import Blueprint

from schoolpeers.accounts.access import role_required
from schoolpeers.districts.access import district_school_or_404

bp = Blueprint("district_schools", __name__, url_prefix="/district/schools", template_folder="templates")


@bp.route("/new", methods=["GET", "POST"])
@role_required("district_admin")
def new():
    return "new school"


@bp.route("/<int:school_id>")
@role_required("district_admin")
def detail(school_id: int):
    return district_school_or_404(school_id).name


@bp.route("/<int:school_id>/admins/new", methods=["GET", "POST"])
@role_required("district_admin")
def add_admin(school_id: int):
    return district_school_or_404(school_id).name


@bp.route("/<int:school_id>/admins/link", methods=["POST"])
@role_required("district_admin")
def admin_link(school_id: int):
    return district_school_or_404(school_id).name


@bp.route("/<int:school_id>/archive", methods=["POST"])
@role_required("district_admin")
def archive(school_id: int):
    return district_school_or_404(school_id).name
