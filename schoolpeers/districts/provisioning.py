"""Districts and their schools come into being here: a district with its office, a school with its
first admin. Callers commit."""
from __future__ import annotations

from schoolpeers.accounts.models import District, School
from schoolpeers.extensions import db


def create_district(name: str, slug: str, **settings) -> tuple[District, School]:
    """A district and its office (where its admins and analysts have their accounts)."""
    district = District(name=name, slug=slug, **settings)
    db.session.add(district)
    db.session.flush()
    office = School(name=f"{name} office", slug=f"{slug}-office", kind="district_office", district_id=district.id)
    db.session.add(office)
    db.session.flush()
    return district, office
