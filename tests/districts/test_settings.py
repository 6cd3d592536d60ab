"""District floors: saving the district tightens its looser schools at once; a school may tighten,
never loosen (service and page)."""
from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import update

from schoolpeers.accounts import services
from schoolpeers.accounts.sso_models import SignInProvider
from schoolpeers.districts.settings import tighten, update_district_settings
from schoolpeers.extensions import db
from schoolpeers.refusals import FieldRefusal
from tests.factories import make_district

SETTINGS_FORM = {"name": "Test School", "timezone": "UTC", "grade_min": "6", "grade_max": "12", "weight_grade": "30",
                 "weight_interests": "30", "weight_topics": "25", "weight_language": "5",
                 "weight_availability": "10", "min_group_size": "5", "checkin_cadence_days": "14",
                 "ack_deadline_minutes": "60", "retention_days": "365", "crisis_contact": "", "designated_lead_id": "0"}


@pytest.fixture
def district(school):
    made = make_district(school, "riverside")
    db.session.commit()
    return made


def test_saving_the_district_tightens_looser_schools_and_counts_them(district, school, other_school):
    strict = services.create_school("Strict", "strict", district_id=district["district"].id, min_group_size=12,
                                    retention_days=60)
    db.session.commit()
    changed = update_district_settings(district["district"], min_group_size=10, retention_days=100,
                                       two_factor_all_adults=True)
    db.session.commit()
    assert changed == 2  # the office is tightened too, and not counted as a school
    assert (school.min_group_size, school.retention_days, school.two_factor_all_adults) == (10, 100, True)
    assert (strict.min_group_size, strict.retention_days, strict.two_factor_all_adults) == (12, 60, True)
    assert (other_school.min_group_size, other_school.retention_days) == (5, 365)  # another district's
    assert district["office"].two_factor_all_adults
    assert update_district_settings(district["district"], min_group_size=10, retention_days=100,
                                    two_factor_all_adults=True) == 0


@pytest.mark.parametrize(("values", "field"), [
    ({"min_group_size": 4}, "min_group_size"), ({"retention_days": 29}, "retention_days"),
    ({"retention_days": 3651}, "retention_days"), ({"min_group_size": None}, "min_group_size")])
def test_district_values_out_of_range_are_refused(district, values, field):
    with pytest.raises(FieldRefusal) as refused:
        update_district_settings(district["district"], **{"min_group_size": 5, "retention_days": 365,
                                                          "two_factor_all_adults": False, **values})
    assert refused.value.field == field


@given(school=st.tuples(st.integers(5, 100), st.integers(30, 3650), st.booleans()),
       district=st.tuples(st.integers(5, 100), st.integers(30, 3650), st.booleans()))
def test_tightening_never_loosens_and_meets_the_floor(school, district):
    s = SimpleNamespace(min_group_size=school[0], retention_days=school[1], two_factor_all_adults=school[2])
    d = SimpleNamespace(min_group_size=district[0], retention_days=district[1], two_factor_all_adults=district[2])
    changed = tighten(s, d)
    assert s.min_group_size == max(school[0], district[0]) and s.retention_days == min(school[1], district[1])
    assert s.two_factor_all_adults == (school[2] or district[2])
    assert changed == ((s.min_group_size, s.retention_days, s.two_factor_all_adults) != school)
    assert tighten(s, d) is False


def test_a_school_may_tighten_but_not_loosen(district, school):
    district["district"].min_group_size, district["district"].retention_days = 8, 200
    district["district"].two_factor_all_adults = True
    school.min_group_size, school.retention_days, school.two_factor_all_adults = 8, 200, True
    services.update_school_settings(school, min_group_size=9, retention_days=100, two_factor_all_adults=True)
    for values, field in (({"min_group_size": 7}, "min_group_size"), ({"retention_days": 201}, "retention_days"),
                          ({"two_factor_all_adults": False}, "two_factor_all_adults")):
        with pytest.raises(FieldRefusal) as refused:
            services.update_school_settings(school, **values)
        assert refused.value.field == field
    assert (school.min_group_size, school.retention_days) == (9, 100)


def test_password_sign_in_goes_off_only_with_single_sign_on(district, school):
    db.session.execute(update(SignInProvider).values(enabled=False))  # the district's, switched off
    with pytest.raises(FieldRefusal, match="Nobody could sign in"):
        services.update_school_settings(school, password_sign_in=False)
    db.session.add(SignInProvider(district_id=district["district"].id, kind="google", label="Google",
                                  issuer="https://accounts.google.com", client_id="c", client_secret_sealed="x",
                                  allowed_domains=["example.org"]))
    db.session.flush()
    services.update_school_settings(school, password_sign_in=False)
    assert school.password_sign_in is False


def test_the_settings_page_refuses_a_looser_k_next_to_the_field(client, district, school, users, login_as):
    district["district"].min_group_size, school.min_group_size = 8, 8
    district["district"].two_factor_all_adults = school.two_factor_all_adults = True
    db.session.commit()
    login_as(users["admin"])
    page = client.get("/admin/settings").get_data(as_text=True)
    assert "as your district requires" in page and 'name="two_factor_all_adults"' not in page
    assert "no group of fewer than 8 students" in page
    response = client.post("/admin/settings", data={**SETTINGS_FORM, "min_group_size": "6"})
    assert response.status_code == 200
    assert "Your district never shows groups of fewer than 8 students" in response.get_data(as_text=True)
    db.session.expire_all()
    assert school.min_group_size == 8
    # A form without the yes/no settings keeps them; a stricter k is saved.
    response = client.post("/admin/settings", data={**SETTINGS_FORM, "min_group_size": "9"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (school.min_group_size, school.two_factor_all_adults, school.password_sign_in) == (9, True, True)


def test_the_settings_page_switches_two_factor_for_a_school_outside_a_district(client, school, users, login_as):
    login_as(users["admin"])
    assert client.post("/admin/settings", data={**SETTINGS_FORM, "two_factor_all_adults": "yes"}).status_code == 302
    db.session.expire_all()
    assert school.two_factor_all_adults is True
    response = client.post("/admin/settings", data={**SETTINGS_FORM, "password_sign_in": "no"})
    assert "Nobody could sign in" in response.get_data(as_text=True)
    assert client.post("/admin/settings", data={**SETTINGS_FORM, "two_factor_all_adults": "maybe"}).status_code == 200
    db.session.expire_all()
    assert school.password_sign_in is True and school.two_factor_all_adults is True
