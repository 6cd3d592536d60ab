"""The district office's pages: home (its schools), settings, and its own people."""
from __future__ import annotations

from flask import Blueprint

from schoolpeers.accounts.access import role_required

bp = Blueprint("districts", __name__, url_prefix="/district", template_folder="templates")


@bp.route("/")
@role_required("district_admin", "district_analyst")
def home():
    return "district home"


@bp.route("/settings", methods=["GET", "POST"])
@role_required("district_admin")
def settings():
    return "district settings"


@bp.route("/people")
@role_required("district_admin")
def people():
    return "district people"


@bp.route("/people/new", methods=["GET", "POST"])
@role_required("district_admin")
def new_person():
    return "new district person"
