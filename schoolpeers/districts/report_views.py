"""The district's roll-up report: the trend measures by school, grade band and period, protected."""
from __future__ import annotations

from flask import Blueprint

from schoolpeers.accounts.access import role_required

bp = Blueprint("district_reports", __name__, url_prefix="/district/reports", template_folder="templates")
ROLLUP_ROLES = ("district_admin", "district_analyst")


@bp.route("/")
@role_required(*ROLLUP_ROLES)
def index():
    return "district report"


@bp.route("/export.<any(csv, xlsx):fmt>")
@role_required(*ROLLUP_ROLES)
def export(fmt: str):
    return fmt
