"""Sign-in with a district's OpenID Connect provider: find it by address, go there, come back."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("sso", __name__, url_prefix="/sign-in")


@bp.route("/school-account", methods=["POST"])
def find():
    return "find"


@bp.route("/provider/<int:provider_id>")
def start(provider_id: int):
    return "start"


@bp.route("/callback")
def callback():
    return "callback"
