"""Pages of the programme cycle: supervision."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("supervision", __name__, template_folder="templates")
