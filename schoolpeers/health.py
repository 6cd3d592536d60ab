"""GET /healthz: "ok" while the process serves requests, for load balancers and uptime checks.

It touches neither the database nor the session, so it stays cheap however often it is polled,
and a database outage does not take every app server out of the balancer at once.
"""
from __future__ import annotations

from flask import Blueprint, Response

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    return Response("ok", mimetype="text/plain")
