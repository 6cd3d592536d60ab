"""Pages of the programme cycle: outcomes."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("outcomes", __name__, template_folder="templates")
