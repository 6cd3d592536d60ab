"""`flask districts create`, `flask schools create` and `flask schools archive`."""
from __future__ import annotations

from sqlalchemy import select

from schoolpeers.accounts.models import District, School, User
from schoolpeers.extensions import db

DISTRICT = ["districts", "create", "--name", "Riverside", "--slug", "riverside", "--admin-given-name", "Dee",
            "--admin-family-name", "Director", "--admin-email", "dee@example.org"]
SCHOOL = ["schools", "create", "--district", "riverside", "--name", "North High", "--slug", "north-high",
          "--timezone", "Europe/London", "--grade-min", "9", "--grade-max", "12", "--org-id", "n1",
          "--admin-given-name", "Ada", "--admin-family-name", "Admin", "--admin-email", "ada@example.org"]


def test_a_district_then_a_school_each_with_a_setup_link(runner):
    result = runner.invoke(args=DISTRICT)
    assert result.exit_code == 0, result.output
    assert "District Riverside (riverside) was created." in result.output and "/setup/" in result.output
    dee = db.session.scalar(select(User).where(User.email == "dee@example.org"))
    assert dee.role == "district_admin" and dee.setup_nonce
    district = db.session.scalar(select(District).where(District.slug == "riverside"))
    district.min_group_size = 9
    db.session.commit()
    result = runner.invoke(args=SCHOOL)
    assert result.exit_code == 0, result.output
    assert "School North High (north-high) was created in Riverside." in result.output
    assert "Setup link for Ada Admin" in result.output and "/setup/" in result.output
    school = db.session.scalar(select(School).where(School.slug == "north-high"))
    assert (school.district_id, school.min_group_size, school.roster_org_id, school.grade_min) == (
        district.id, 9, "n1", 9)


def test_refusals_name_the_option_and_write_nothing(runner):
    assert runner.invoke(args=DISTRICT).exit_code == 0
    result = runner.invoke(args=DISTRICT[:-1] + ["other@example.org"])
    assert result.exit_code == 1 and "slug: The short name riverside is already taken" in result.output
    result = runner.invoke(args=SCHOOL[:-1] + ["dee@example.org"])
    assert result.exit_code == 1 and "admin-email: The email dee@example.org already belongs" in result.output
    result = runner.invoke(args=["schools", "create", *SCHOOL[2:3], "nowhere", *SCHOOL[4:]])
    assert result.exit_code == 1 and "No district with the short name 'nowhere'" in result.output
    result = runner.invoke(args=[*SCHOOL[:9], "Nowhere/Land", *SCHOOL[10:]])
    assert result.exit_code == 1 and "timezone: Unknown timezone" in result.output
    assert db.session.scalar(select(School).where(School.slug == "north-high")) is None


def test_archiving_from_the_command_line_is_once(runner):
    runner.invoke(args=DISTRICT)
    runner.invoke(args=SCHOOL)
    result = runner.invoke(args=["schools", "archive", "north-high"])
    assert result.exit_code == 0 and "North High is archived" in result.output
    assert db.session.scalar(select(School).where(School.slug == "north-high")).is_archived
    result = runner.invoke(args=["schools", "archive", "north-high"])
    assert result.exit_code == 0 and "archived already: nothing changed" in result.output
    result = runner.invoke(args=["schools", "archive", "riverside-office"])
    assert result.exit_code == 1 and "No school with the short name" in result.output
