"""Who may do what in a district: its office's people, in their own district only."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from schoolpeers.accounts.access import MAX_ID
from schoolpeers.accounts.models import District, School
from schoolpeers.extensions import db


def current_district() -> District:
    """The district of the signed-in office person (views are behind `role_required`)."""
    district = current_user.school.district
    if district is None or current_user.school.kind != "district_office":
        abort(403)
    return district


def district_school_or_404(school_id: int) -> School:
    """A school of the current district (never its office), or 404 like one that does not exist."""
    if not 0 < school_id <= MAX_ID:
        abort(404)
    school = db.session.scalar(select(School).where(
        School.id == school_id, School.district_id == current_district().id, School.kind == "school"))
    if school is None:
        abort(404)
    return school


def provider_or_404(provider_id: int):
    """A sign-in provider of the current district, or 404."""
    from schoolpeers.accounts.sso_models import SignInProvider

    if not 0 < provider_id <= MAX_ID:
        abort(404)
    provider = db.session.scalar(select(SignInProvider).where(
        SignInProvider.id == provider_id, SignInProvider.district_id == current_district().id))
    if provider is None:
        abort(404)
    return provider
