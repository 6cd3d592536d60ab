"""Districts and their schools come into being here: a district with its office and first admin, a
school with its first admin (taking the district's floors), more admins, and archiving. Refusals name
the form field they belong next to. Callers commit."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from schoolpeers.accounts import services
from schoolpeers.accounts.models import District, School, User
from schoolpeers.extensions import db
from schoolpeers.refusals import FieldRefusal

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_RULE = "Use 2 to 50 lower-case letters, digits and single dashes, such as north-high."


def create_district(name: str, slug: str, **settings) -> tuple[District, School]:
    """A district and its office (where its admins and analysts have their accounts)."""
    district = District(name=name, slug=slug, **settings)
    db.session.add(district)
    db.session.flush()
    office = School(name=f"{name} office", slug=f"{slug}-office", kind="district_office", district_id=district.id)
    db.session.add(office)
    db.session.flush()
    return district, office


def create_district_with_admin(name: str, slug: str, *, admin_given_name: str, admin_family_name: str,
                               admin_email: str) -> tuple[District, User]:
    name, slug = _name(name), _slug(slug)
    if db.session.scalar(select(District.id).where(District.slug == slug)) is not None or _school_slug_taken(
            f"{slug}-office"):
        raise FieldRefusal("slug", f"The short name {slug} is already taken: choose another.")
    _refuse_taken_email(admin_email, "admin_email")
    district, office = create_district(name, slug)
    admin = _person(office, "district_admin", admin_given_name, admin_family_name, admin_email, "admin_email")
    return district, admin


def create_school_in_district(district: District, *, name: str, slug: str, admin_given_name: str,
                              admin_family_name: str, admin_email: str, timezone: str = "UTC", grade_min: int = 6,
                              grade_max: int = 12, roster_org_id: str | None = None) -> tuple[School, User]:
    """A school of the district, starting at the district's floors, with its first admin."""
    name, slug = _name(name), _slug(slug)
    if _school_slug_taken(slug):
        raise FieldRefusal("slug", f"Another school here has the short name {slug}: choose another.")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise FieldRefusal("timezone", "Unknown timezone; use a name such as Europe/London.") from None
    if not 0 <= grade_min <= grade_max <= 13:
        raise FieldRefusal("grade_max", "Grades run from 0 to 13, the highest not below the lowest.")
    roster_org_id = (roster_org_id or "").strip() or None
    if roster_org_id and len(roster_org_id) > 100:
        raise FieldRefusal("roster_org_id", "An org id has at most 100 characters.")
    if roster_org_id and db.session.scalar(select(School.id).where(School.roster_org_id == roster_org_id)):
        raise FieldRefusal("roster_org_id", "Another school here has this org id: each org is one school.")
    _refuse_taken_email(admin_email, "admin_email")
    school = services.create_school(
        name, slug, kind="school", district_id=district.id, timezone=timezone, grade_min=grade_min,
        grade_max=grade_max, roster_org_id=roster_org_id, min_group_size=district.min_group_size,
        retention_days=district.retention_days, two_factor_all_adults=district.two_factor_all_adults)
    admin = _person(school, "admin", admin_given_name, admin_family_name, admin_email, "admin_email")
    return school, admin


def add_school_admin(school: School, *, given_name: str, family_name: str, email: str) -> User:
    if school.is_archived:
        raise FieldRefusal("email", "This school is archived: it takes no new people.")
    _refuse_taken_email(email, "email")
    return _person(school, "admin", given_name, family_name, email, "email")


def add_office_person(office: School, role: str, *, given_name: str, family_name: str, email: str) -> User:
    if role not in ("district_admin", "district_analyst"):
        raise FieldRefusal("role", "Choose district admin or district analyst.")
    _refuse_taken_email(email, "email")
    return _person(office, role, given_name, family_name, email, "email")


def school_admins(school: School) -> list[User]:
    return list(db.session.scalars(select(User).where(User.school_id == school.id, User.role == "admin")
                                   .order_by(User.family_name, User.given_name, User.id)))


def school_admin_or_none(school: School, user_id: int | None) -> User | None:
    """An admin of this school by id (None for anyone else: a student, another school's person)."""
    if not user_id:
        return None
    return db.session.scalar(select(User).where(User.id == user_id, User.school_id == school.id,
                                                User.role == "admin"))


def fresh_setup_token(user: User, secret_key: str) -> str:
    """A new setup link for someone who has not set up yet; one who chose a password keeps it (a
    school's own admin resets it, with a counselor's approval)."""
    if user.password_hash is not None:
        raise FieldRefusal("user_id", f"{user.display_name} has set up their account already.")
    try:
        return services.issue_setup_link_token(user, secret_key)
    except services.AccountError as exc:
        raise FieldRefusal("user_id", str(exc)) from None


def archive_school(school: School, now: datetime) -> bool:
    """Archive the school (read-only from now; retention counts from today). False when it already was."""
    if school.is_archived:
        return False
    school.archived_at = now
    db.session.flush()
    return True


def school_by_slug(slug: str) -> School | None:
    return db.session.scalar(select(School).where(School.slug == slug, School.kind == "school"))


def district_by_slug(slug: str) -> District | None:
    return db.session.scalar(select(District).where(District.slug == slug))


def _person(school: School, role: str, given_name: str, family_name: str, email: str, field: str) -> User:
    given_name, family_name = (given_name or "").strip(), (family_name or "").strip()
    if not given_name or not family_name or len(given_name) > 100 or len(family_name) > 100:
        raise FieldRefusal("given_name" if not given_name or len(given_name) > 100 else "family_name",
                           "Give a name of 1 to 100 characters.")
    try:
        return services.create_user(school, given_name=given_name, family_name=family_name, role=role, email=email)
    except services.AccountError as exc:
        raise FieldRefusal(field, str(exc)) from None


def _refuse_taken_email(email: str, field: str) -> None:
    email = services.normalise_email(email)
    if not email or "@" not in email or len(email) > 254:
        raise FieldRefusal(field, "Give their email address, such as name@school.org.")
    if services.email_taken(email):
        raise FieldRefusal(field, f"The email {email} already belongs to another account.")


def _school_slug_taken(slug: str) -> bool:
    return db.session.scalar(select(School.id).where(School.slug == slug)) is not None


def _name(name: str) -> str:
    name = (name or "").strip()
    if not name or len(name) > 150:
        raise FieldRefusal("name", "Give a name of 1 to 150 characters.")
    return name


def _slug(slug: str) -> str:
    slug = (slug or "").strip().lower()
    if not 2 <= len(slug) <= 50 or not SLUG.match(slug):
        raise FieldRefusal("slug", SLUG_RULE)
    return slug
