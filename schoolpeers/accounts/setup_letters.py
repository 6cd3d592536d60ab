"""Setup links in bulk: a QR code per link, and the CSV a mail merge reads."""
from __future__ import annotations

import csv
import io
from datetime import date

import segno
from markupsafe import Markup

from schoolpeers.accounts.models import User
from schoolpeers.spreadsheet import defused

CSV_COLUMNS = ("given_name", "family_name", "username", "grade", "setup_link", "setup_code", "valid_until")


def qr_code_svg(text: str, title: str = "QR code to scan") -> Markup:
    """A QR code as inline SVG: no image request, no inline style (the CSP forbids it)."""
    return Markup(segno.make(text, error="m").svg_inline(scale=5, dark="#1f2933", light="#ffffff", title=title))


def letters_csv(letters: list[tuple[User, str, str]], valid_until: date) -> bytes:
    """One row per student, link and code; names a spreadsheet would run as formulas are defused."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for student, link, code in letters:
        writer.writerow([defused(student.given_name), defused(student.family_name), defused(student.username),
                         student.grade, link, code, valid_until.isoformat()])
    return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read accents right
