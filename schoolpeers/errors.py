"""Every error is a friendly page in the app's layout, or JSON for JSON clients."""
from __future__ import annotations

import logging

from flask import Flask, Response, g, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError, SecurityError

from schoolpeers.extensions import db, login_manager

log = logging.getLogger(__name__)

MESSAGES = {
    400: "The request could not be understood. Go back and try again.",
    403: "You do not have access to this page.",
    404: "We could not find that page.",
    405: "That action is not available here.",
    413: "That file is too large. Files up to 5 MB can be uploaded.",
    429: "Too many attempts. Wait a minute and try again.",
    500: "Something went wrong on our side. Nothing was saved; please try again.",
    503: "The app cannot reach its database just now. Nothing was saved; please try again in a minute.",
}
RETRY_AFTER_SECONDS = 30


def wants_json() -> bool:
    if request.is_json or request.path.startswith("/api/") or request.path.endswith(".json"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def render_error(code: int, message: str | None = None):
    message = message or MESSAGES.get(code, "Something went wrong.")
    if wants_json():
        return jsonify(error=message, status=code), code
    return render_template("error.html", code=code, message=message), code


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        if isinstance(exc, SecurityError):  # a Host header we do not answer for: no page, no links to it
            return Response("Unknown host.\n", 400, mimetype="text/plain")
        if exc.code == 401:
            return render_error(401, "Please sign in.")
        # CSRF failures carry their own reason; other codes use our plain words.
        message = exc.description if exc.code == 400 and "CSRF" in (exc.description or "") else None
        if exc.code == 400 and message:
            message = "This form has expired or was sent from another site. Reload the page and try again."
        return render_error(exc.code or 500, message)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(exc: Exception):
        """The database went away (or is too busy): say so plainly, and recover when it is back.

        The page is drawn as for a visitor, because drawing the signed-in header would need the
        database again; the pool's pre-ping replaces dead connections once the server returns.
        """
        log.error("Database unavailable on %s %s: %s", request.method, request.path, type(exc.orig).__name__)
        try:
            db.session.rollback()
        except (OperationalError, InterfaceError):
            pass
        db.session.remove()
        g._login_user = login_manager.anonymous_user()
        response, code = render_error(503)
        response = app.make_response((response, code))
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        if isinstance(exc, HTTPException):
            return handle_http(exc)
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return render_error(InternalServerError.code)
