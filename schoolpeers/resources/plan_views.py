"""Pages of the library's session plans: counselors read, write, retire and load the starter plans."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("plans", __name__, template_folder="templates")
