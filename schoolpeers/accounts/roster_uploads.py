"""Roster files between the check and the import: kept in the database for the admin who uploaded
them, so the browser sends a reference instead of the file again, and deleted after the import or
after a few hours, whichever comes first."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from schoolpeers.accounts.models import RosterUpload, User
from schoolpeers.accounts.roster import RosterPlan
from schoolpeers.extensions import db
from schoolpeers.timeutil import utcnow

KEPT_FOR = timedelta(hours=4)


def keep(admin: User, filename: str, content: bytes, plan: RosterPlan) -> RosterUpload:
    """Store an uploaded file for its admin, with what its check found; older forgotten uploads go."""
    discard_stale()
    upload = RosterUpload(id=secrets.token_urlsafe(32), school_id=admin.school_id, user_id=admin.id,
                          filename=filename[:200], content=content, deactivations=plan.deactivated_students,
                          confirmation_needed=plan.needs_confirmation())
    db.session.add(upload)
    db.session.flush()
    return upload


def load(admin: User, upload_id: str) -> RosterUpload | None:
    """The admin's own upload, still kept; None for anyone else's, or one gone."""
    return db.session.scalar(select(RosterUpload).where(
        RosterUpload.id == upload_id, RosterUpload.user_id == admin.id, RosterUpload.school_id == admin.school_id,
        RosterUpload.created_at >= utcnow() - KEPT_FOR))


def discard(upload: RosterUpload) -> None:
    db.session.delete(upload)
    db.session.flush()


def discard_stale() -> int:
    return db.session.execute(delete(RosterUpload).where(RosterUpload.created_at < utcnow() - KEPT_FOR)).rowcount
