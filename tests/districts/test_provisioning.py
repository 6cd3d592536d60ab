"""Provisioning services: a school takes its district's floors and gets its first admin; refusals name
their field; archiving is once."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from schoolpeers.accounts.models import Interest, School
from schoolpeers.districts import provisioning
from schoolpeers.extensions import db
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import utcnow
from tests.factories import make_district

ADMIN = {"admin_given_name": "Ada", "admin_family_name": "Admin", "admin_email": "ada@north.example.org"}


@pytest.fixture
def district(school):
    made = make_district(school, "riverside")
    made["district"].min_group_size, made["district"].retention_days = 8, 200
    made["district"].two_factor_all_adults = True
    db.session.commit()
    return made["district"]


def test_a_new_school_takes_the_districts_floors_and_gets_its_admin(district):
    school, admin = provisioning.create_school_in_district(
        district, name="North High", slug="north-high", timezone="Europe/London", grade_min=9, grade_max=12,
        roster_org_id=" n1 ", **ADMIN)
    db.session.commit()
    assert (school.kind, school.district_id, school.roster_org_id, school.grade_min) == ("school", district.id, "n1", 9)
    assert (school.min_group_size, school.retention_days, school.two_factor_all_adults) == (8, 200, True)
    assert (admin.school_id, admin.role, admin.email, admin.password_hash) == (
        school.id, "admin", "ada@north.example.org", None)
    assert db.session.scalar(select(func.count()).select_from(Interest).where(Interest.school_id == school.id)) > 0


@pytest.mark.parametrize(("change", "field"), [
    ({"slug": "test-school"}, "slug"),  # the fixture school's
    ({"slug": "North High"}, "slug"),
    ({"slug": "-x"}, "slug"),
    ({"name": "  "}, "name"),
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"grade_min": 10, "grade_max": 8}, "grade_max"),
    ({"admin_email": "GIVEN1@example.org"}, "admin_email"),
    ({"admin_email": "not an address"}, "admin_email"),
    ({"admin_given_name": ""}, "given_name"),
])
def test_bad_input_is_refused_next_to_its_field_and_nothing_is_written(district, users, change, field):
    users["admin"].email = "given1@example.org"
    db.session.commit()
    values = {"name": "North High", "slug": "north-high", **ADMIN, **change}
    with pytest.raises(FieldRefusal) as refused:
        provisioning.create_school_in_district(district, **values)
    db.session.rollback()
    assert refused.value.field == field
    assert db.session.scalar(select(School.id).where(School.slug == "north-high")) is None


def test_an_org_id_belongs_to_one_school(district, school):
    school.roster_org_id = "n1"
    db.session.commit()
    with pytest.raises(FieldRefusal, match="org id") as refused:
        provisioning.create_school_in_district(district, name="North", slug="north", roster_org_id="n1", **ADMIN)
    assert refused.value.field == "roster_org_id"


def test_more_admins_and_a_fresh_link_only_for_one_not_set_up(district):
    school, first = provisioning.create_school_in_district(district, name="North", slug="north", **ADMIN)
    second = provisioning.add_school_admin(school, given_name="Bo", family_name="Second", email="bo@example.org")
    db.session.commit()
    assert [a.id for a in provisioning.school_admins(school)] == [first.id, second.id]  # Admin, Second
    assert provisioning.fresh_setup_token(second, "secret")
    second.password_hash = "set"
    with pytest.raises(FieldRefusal, match="set up their account already"):
        provisioning.fresh_setup_token(second, "secret")
    with pytest.raises(FieldRefusal, match="already belongs") as refused:
        provisioning.add_school_admin(school, given_name="Cy", family_name="Copy", email="BO@example.org")
    assert refused.value.field == "email"
    assert provisioning.school_admin_or_none(school, second.id) is second


def test_archiving_is_once_and_an_archived_school_takes_no_new_admin(district):
    school, _ = provisioning.create_school_in_district(district, name="North", slug="north", **ADMIN)
    when = utcnow()
    assert provisioning.archive_school(school, when) is True
    assert provisioning.archive_school(school, utcnow()) is False
    assert school.is_archived and school.archived_at == when
    with pytest.raises(FieldRefusal, match="archived"):
        provisioning.add_school_admin(school, given_name="Late", family_name="Comer", email="late@example.org")


def test_a_district_comes_with_its_office_and_first_admin(app):
    district, admin = provisioning.create_district_with_admin(
        "Lakeside", "lakeside", admin_given_name="Dee", admin_family_name="Director", admin_email="dee@example.org")
    db.session.commit()
    assert (admin.role, admin.school.kind, admin.school.district_id) == (
        "district_admin", "district_office", district.id)
    with pytest.raises(FieldRefusal, match="already taken") as refused:
        provisioning.create_district_with_admin("Other", "lakeside", admin_given_name="E", admin_family_name="F",
                                                admin_email="e@example.org")
    assert refused.value.field == "slug"
