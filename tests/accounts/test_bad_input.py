"""Bad input found by fuzzing the admin pages and the roster: a form error, never a 500."""
from sqlalchemy import func, select

from schoolpeers.accounts.models import User
from schoolpeers.accounts.roster import plan_import
from schoolpeers.extensions import db


def test_settings_with_a_huge_number_or_a_very_long_timezone_are_form_errors(client, users, login_as, school):
    login_as(users["admin"])
    for field, value in (("grade_max", "1" * 400), ("timezone", "a" * 300)):
        response = client.post("/admin/settings", data={"name": "School", "timezone": "UTC", field: value})
        assert response.status_code == 200, field
    db.session.refresh(school)
    assert school.timezone == "UTC" and school.grade_max == 12


def test_roster_rows_holding_a_nul_character_are_bad_rows(school):
    text = ("sourcedId,givenName,familyName,role,username,grades\n"
            "s1,Ada,Lovelace,student,ada\x00x,8\n"
            "s2,Alan,Turing,student,alan,8\n")
    plan = plan_import(school, text)
    assert [(p.line, "NUL" in p.reason) for p in plan.problems] == [(2, True)]
    assert db.session.scalar(select(func.count()).select_from(User)) == 0
