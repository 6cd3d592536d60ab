"""A district's settings are floors for its schools: saving them tightens every school that is looser,
in the same transaction. Callers commit."""
from __future__ import annotations

from sqlalchemy import select

from schoolpeers.accounts.models import MIN_GROUP_SIZE, District, School
from schoolpeers.extensions import db
from schoolpeers.refusals import FieldRefusal

RETENTION_RANGE = (30, 3650)


def update_district_settings(district: District, *, min_group_size: int, retention_days: int,
                             two_factor_all_adults: bool) -> int:
    """Save the district's floors; returns how many of its schools were tightened to meet them."""
    if min_group_size is None or not MIN_GROUP_SIZE <= min_group_size <= 100:
        raise FieldRefusal("min_group_size", f"Choose a smallest group from {MIN_GROUP_SIZE} to 100 students.")
    if retention_days is None or not RETENTION_RANGE[0] <= retention_days <= RETENTION_RANGE[1]:
        raise FieldRefusal("retention_days", "Choose from 30 to 3650 days.")
    district.min_group_size, district.retention_days = min_group_size, retention_days
    district.two_factor_all_adults = bool(two_factor_all_adults)
    changed = 0
    for school in db.session.scalars(select(School).where(School.district_id == district.id).order_by(School.id)):
        if tighten(school, district) and school.kind == "school":
            changed += 1
    db.session.flush()
    return changed


def tighten(school: School, district: District) -> bool:
    """Raise the school to the district's floors where it is looser; whether anything changed."""
    wanted = (max(school.min_group_size, district.min_group_size),
              min(school.retention_days, district.retention_days),
              school.two_factor_all_adults or district.two_factor_all_adults)
    if wanted == (school.min_group_size, school.retention_days, school.two_factor_all_adults):
        return False
    school.min_group_size, school.retention_days, school.two_factor_all_adults = wanted
    return True
