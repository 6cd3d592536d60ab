"""Pages of the programme cycle: recognition."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("recognition", __name__, template_folder="templates")
