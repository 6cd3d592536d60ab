"""Pages of the programme cycle: closure."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("closure", __name__, template_folder="templates")
