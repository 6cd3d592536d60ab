"""`flask districts create` and `flask schools create|archive`: the same services as the district
office's pages, for setting up an installation from the server."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from schoolpeers.accounts.services import issue_setup_link_token
from schoolpeers.audit import record_event
from schoolpeers.districts import provisioning
from schoolpeers.extensions import db
from schoolpeers.refusals import FieldRefusal
from schoolpeers.timeutil import utcnow
from schoolpeers.web import absolute_url

districts_cli = AppGroup("districts", help="Districts: create one with its office and first admin.")
schools_cli = AppGroup("schools", help="Schools of a district: create one with its first admin, archive one.")

ADMIN_OPTIONS = (
    click.option("--admin-given-name", required=True),
    click.option("--admin-family-name", required=True),
    click.option("--admin-email", required=True),
)


def admin_options(command):
    for option in reversed(ADMIN_OPTIONS):
        command = option(command)
    return command


def _setup_link(user) -> str:
    token = issue_setup_link_token(user, current_app.config["SECRET_KEY"])
    # Built like a page's link, on the configured address (never a guessed host).
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        return absolute_url("accounts.setup", token=token)


def _created(what: str, admin, action: str, *, school_id: int, record_type: str, record_id: int,
             slug: str) -> None:
    """Audit and commit what a create command made, then print it and its first admin's setup link."""
    link = _setup_link(admin)
    record_event(action, school_id=school_id, record_type=record_type, record_id=record_id,
                 detail={"slug": slug, "admin": admin.id, "from": "command line"})
    db.session.commit()
    click.echo(what)
    click.echo(f"Setup link for {admin.display_name} (valid for 7 days, works once): {link}")


def _refused(exc: FieldRefusal) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(f"{exc.field.replace('_', '-')}: {exc}")


@districts_cli.command("create")
@click.option("--name", required=True)
@click.option("--slug", required=True, help="The district's short name, such as north-county.")
@admin_options
def create_district_command(name: str, slug: str, admin_given_name: str, admin_family_name: str,
                            admin_email: str) -> None:
    """A new district with its office and first district admin; prints the admin's setup link."""
    try:
        district, admin = provisioning.create_district_with_admin(
            name, slug, admin_given_name=admin_given_name, admin_family_name=admin_family_name,
            admin_email=admin_email)
    except FieldRefusal as exc:
        raise _refused(exc) from None
    _created(f"District {district.name} ({district.slug}) was created.", admin, "district.create",
             school_id=admin.school_id, record_type="district", record_id=district.id, slug=district.slug)


@schools_cli.command("create")
@click.option("--district", "district_slug", required=True, help="The district's short name.")
@click.option("--name", required=True)
@click.option("--slug", required=True, help="The school's short name, such as north-high.")
@click.option("--timezone", default="UTC", show_default=True)
@click.option("--grade-min", type=int, default=6, show_default=True)
@click.option("--grade-max", type=int, default=12, show_default=True)
@click.option("--org-id", default=None, help="The school's OneRoster org id (sourcedId in orgs.csv).")
@admin_options
def create_school_command(district_slug: str, name: str, slug: str, timezone: str, grade_min: int, grade_max: int,
                          org_id: str | None, admin_given_name: str, admin_family_name: str,
                          admin_email: str) -> None:
    """A new school of the district, at the district's floors, with its first admin; prints the setup link."""
    district = provisioning.district_by_slug(district_slug.strip().lower())
    if district is None:
        raise click.ClickException(f"No district with the short name {district_slug!r}.")
    try:
        school, admin = provisioning.create_school_in_district(
            district, name=name, slug=slug, timezone=timezone, grade_min=grade_min, grade_max=grade_max,
            roster_org_id=org_id, admin_given_name=admin_given_name, admin_family_name=admin_family_name,
            admin_email=admin_email)
    except FieldRefusal as exc:
        raise _refused(exc) from None
    _created(f"School {school.name} ({school.slug}) was created in {district.name}.", admin,
             "district.school_create", school_id=school.id, record_type="school", record_id=school.id,
             slug=school.slug)


@schools_cli.command("archive")
@click.argument("slug")
def archive_school_command(slug: str) -> None:
    """Archive a school: read-only from now, and retention runs from today."""
    school = provisioning.school_by_slug(slug.strip().lower())
    if school is None:
        raise click.ClickException(f"No school with the short name {slug!r}.")
    if not provisioning.archive_school(school, utcnow()):
        click.echo(f"{school.name} was archived already: nothing changed.")
        return
    record_event("district.school_archive", school_id=school.id, record_type="school", record_id=school.id,
                 detail={"from": "command line"})
    db.session.commit()
    click.echo(f"{school.name} is archived: its people can sign in and read, and change nothing.")
