"""The district's single sign-on providers: a district admin adds and edits them."""
from __future__ import annotations

from flask import Blueprint

from schoolpeers.accounts.access import role_required
from schoolpeers.districts.access import provider_or_404

bp = Blueprint("district_sign_in", __name__, url_prefix="/district/sign-in", template_folder="templates")


@bp.route("/")
@role_required("district_admin")
def providers():
    return "providers"


@bp.route("/new", methods=["GET", "POST"])
@role_required("district_admin")
def new():
    return "new provider"


@bp.route("/<int:provider_id>", methods=["GET", "POST"])
@role_required("district_admin")
def edit(provider_id: int):
    return provider_or_404(provider_id).label
