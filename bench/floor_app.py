"""The production app plus two pages that do only what every signed-in page does, for the web benchmark.

They measure the floor under any real page: the signed cookie, the person loaded and checked
(active, session version, timeouts, second factor), the security headers and, for the second, the
site's layout (navigation, sign-out form with its CSRF token, a counselor's urgent banner). A page
cannot be cheaper than its floor, so the floor's share of /healthz bounds every page's share.
They live here, not in the product: the product has no page that shows nothing.
"""
from __future__ import annotations

from flask import Blueprint, Flask, render_template
from flask_login import current_user, login_required

import schoolpeers

bp = Blueprint("bench_floor", __name__, template_folder="templates")
SIGNED_IN_TEXT = "/bench/floor/signed-in"
EMPTY_PAGE = "/bench/floor/empty-page"


@bp.get(SIGNED_IN_TEXT)
@login_required
def signed_in_text() -> str:
    return f"signed in as {current_user.role}"


@bp.get(EMPTY_PAGE)
@login_required
def empty_page() -> str:
    return render_template("bench/empty_page.html")


def with_floor_pages(app: Flask) -> Flask:
    app.register_blueprint(bp)
    return app


def create_app() -> Flask:
    return with_floor_pages(schoolpeers.create_app())
