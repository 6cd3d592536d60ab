"""The circles report: participation, mood rounds and feedback by topic and grade band, protected like every report."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("circle_reports", __name__, template_folder="templates")
