"""Pages of circles: counselors set them up and decide places; leaders open the circles they lead;
students ask, answer, agree and leave."""
from __future__ import annotations

from flask import Blueprint

bp = Blueprint("circles", __name__, template_folder="templates")
