"""Admins browse and export the audit trail of their own school."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user
from sqlalchemy import Select, func, select
from sqlalchemy.orm import contains_eager

from schoolpeers.accounts.access import role_required
from schoolpeers.accounts.models import User
from schoolpeers.audit import AuditEvent
from schoolpeers.extensions import db, limit_exports_per_person
from schoolpeers.paging import counted_page
from schoolpeers.spreadsheet import defused
from schoolpeers.timeutil import as_utc, start_of_day, utcnow
from schoolpeers.web import audit, change, page_arg

# The prefix stops at /admin: Flask would join "/admin/audit" and ".csv" with a slash.
bp = Blueprint("audit", __name__, url_prefix="/admin", template_folder="templates")

PER_PAGE = 50
CSV_COLUMNS = ("at_utc", "actor_username", "action", "record_type", "record_id", "ip", "detail")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP adds tab and CR).


@bp.before_request
@role_required("admin")
def admins_only():
    """Every page of this blueprint is for admins of the signed-in school."""


@dataclass
class Filters:
    """The filters as typed (to fill the form back in) and the problems found in them."""

    action: str = ""
    actor: str = ""
    record_type: str = ""
    date_from: str = ""
    date_to: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    conditions: list = field(default_factory=list)

    def args(self) -> dict[str, str]:
        """The non-empty filters, for links (pages, export) and the export's audit detail."""
        return {name: value for name, value in (
            ("action", self.action), ("actor", self.actor), ("record_type", self.record_type),
            ("from", self.date_from), ("to", self.date_to)) if value}


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def read_filters() -> Filters:
    """Filters from the query string. Bad input is reported and ignored, never an error page."""
    args = request.args
    f = Filters(action=args.get("action", "").strip()[:60], actor=args.get("actor", "").strip()[:100],
                record_type=args.get("record_type", "").strip()[:40],
                date_from=args.get("from", "").strip()[:10], date_to=args.get("to", "").strip()[:10])
    if f.action:
        f.conditions.append(AuditEvent.action == f.action)
    if f.actor:
        f.conditions.append(func.lower(User.username) == f.actor.lower())
    if f.record_type:
        f.conditions.append(AuditEvent.record_type == f.record_type)
    first = parse_date(f.date_from) if f.date_from else None
    last = parse_date(f.date_to) if f.date_to else None
    if f.date_from and first is None:
        f.errors["from"] = "Enter a date as YYYY-MM-DD."
    if f.date_to and last is None:
        f.errors["to"] = "Enter a date as YYYY-MM-DD."
    if first and last and last < first:
        f.errors["to"] = "The end date is before the start date."
        last = None
    if first:
        f.conditions.append(AuditEvent.at >= start_of_day(first, current_user.school.timezone))
    if last and last < date.max:  # inclusive: everything before the next midnight
        f.conditions.append(AuditEvent.at < start_of_day(last + timedelta(days=1), current_user.school.timezone))
    return f


def events_query(filters: Filters) -> Select:
    """This school's events, newest first, with their actor (None when anonymous) in the same query."""
    return (
        select(AuditEvent)
        .outerjoin(AuditEvent.actor.and_(User.school_id == AuditEvent.school_id))  # the school's shard alone
        .options(contains_eager(AuditEvent.actor))
        .where(AuditEvent.school_id == current_user.school_id, *filters.conditions)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def present(column) -> list[str]:
    """The distinct non-empty values of a column in this school's events, for the filter selects."""
    return list(db.session.scalars(
        select(column).where(AuditEvent.school_id == current_user.school_id, column.is_not(None))
        .distinct().order_by(column)
    ))


@bp.app_template_filter("audit_detail")
def detail_text(detail: dict | None) -> str:
    """`key=value` pairs; values that are not plain text stay compact JSON."""
    return " ".join(
        f"{key}={value if isinstance(value, str) else json.dumps(value, separators=(',', ':'))}"
        for key, value in (detail or {}).items()
    )


@bp.get("/audit")
def index():
    filters = read_filters()
    page = counted_page(events_query(filters), page_arg(), PER_PAGE)
    return render_template("audit/index.html", page=page, filters=filters,
                           actions=present(AuditEvent.action), record_types=present(AuditEvent.record_type))


def csv_cell(value) -> str | int:
    if value is None:
        return ""
    return defused(value) if isinstance(value, str) else value


def csv_lines(query: Select):
    """The header, then one line per event; rows are fetched in batches, never all at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def line(cells) -> str:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([csv_cell(cell) for cell in cells])
        return buffer.getvalue()

    yield line(CSV_COLUMNS)
    for event in db.session.scalars(query.execution_options(yield_per=500)):
        yield line((
            as_utc(event.at).strftime("%Y-%m-%dT%H:%M:%SZ"), event.actor.username if event.actor else None,
            event.action, event.record_type, event.record_id, event.ip,
            json.dumps(event.detail or {}, separators=(",", ":")),
        ))


@bp.get("/audit.csv")
@limit_exports_per_person()
def export():
    filters = read_filters()
    # Recorded before the rows are sent: an export that breaks off half way is still on record.
    with change():
        audit("audit.export", detail={"filters": filters.args()})
    filename = f"audit-{current_user.school.slug}-{utcnow():%Y%m%d}.csv"
    return Response(stream_with_context(csv_lines(events_query(filters))), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
