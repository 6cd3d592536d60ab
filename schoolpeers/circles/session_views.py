"""Pages of group sessions: leaders and counselors schedule and log a circle's sessions,
counselors run workshops, members give feedback."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("group_sessions", __name__, template_folder="templates")
