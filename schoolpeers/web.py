"""Small helpers shared by views: the audit call with who and where filled in, paging."""
from __future__ import annotations

from flask import request
from flask_login import current_user

from schoolpeers.audit import record_event

_SIGNED_IN_USER = object()


def audit(action: str, *, record_type: str | None = None, record_id: int | None = None,
          detail: dict | None = None, actor=_SIGNED_IN_USER, school_id: int | None = None) -> None:
    """Record an audit event from a view. `actor=None` records an anonymous attempt."""
    if actor is _SIGNED_IN_USER:
        actor = current_user if current_user.is_authenticated else None
    record_event(
        action,
        school_id=school_id if school_id is not None else getattr(actor, "school_id", None),
        actor_id=getattr(actor, "id", None),
        record_type=record_type,
        record_id=record_id,
        ip=request.remote_addr,
        detail=detail,
    )


def page_arg() -> int:
    page = request.args.get("page", 1, type=int) or 1
    return min(max(page, 1), 100_000)
