"""District roster sync: one OneRoster bundle for every school of the district."""
from __future__ import annotations

from flask import Blueprint

from schoolpeers.accounts.access import role_required

bp = Blueprint("district_roster", __name__, url_prefix="/district/roster", template_folder="templates")


@bp.route("/", methods=["GET", "POST"])
@role_required("district_admin")
def upload():
    return "district roster"


@bp.route("/apply", methods=["POST"])
@role_required("district_admin")
def apply():
    return "district roster apply"
