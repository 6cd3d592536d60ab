"""`flask roster import FILE` (the same dry run and import as the admin upload page, or a whole
district's bundle) and `flask roster sync --from DIR` (the newest bundle of a drop folder, for cron)."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from schoolpeers.accounts import sso, two_factor
from schoolpeers.accounts.models import School, User
from schoolpeers.accounts.roster import MODES, apply_import, audit_import, plan_import
from schoolpeers.accounts.roster_bundles import open_roster
from schoolpeers.accounts.roster_files import RosterFileError
from schoolpeers.accounts.roster_sync import DistrictRun, admins_to_tell, import_district, sync_from
from schoolpeers.audit import record_event
from schoolpeers.extensions import db
from schoolpeers.mail import send_mail

roster_cli = AppGroup("roster", help="Import users from a school information system.")


def parse_role_map(values: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for value in values:
        source, sep, target = value.partition("=")
        if not sep or target not in ("student", "staff", "counselor", "admin"):
            raise click.BadParameter(f"{value!r}: use ROSTER_ROLE=student|staff|counselor|admin")
        mapping[source.strip().lower()] = target
    return mapping


def parse_allowed(values: tuple[str, ...]) -> dict[str, int]:
    """--allow-deactivations SLUG=N, once per school of a district run."""
    allowed = {}
    for value in values:
        slug, sep, number = value.partition("=")
        if not sep or not number.strip().isdigit():
            raise click.BadParameter(f"{value!r}: use SCHOOL=N, e.g. north-high=42")
        allowed[slug.strip()] = int(number)
    return allowed


MODE_OPTION = click.option(
    "--mode", type=click.Choice(list(MODES)), default="delta", show_default=True,
    help="delta: change only the people in the file; full: also deactivate everyone missing from it.")
MAP_OPTION = click.option("--map", "role_map", multiple=True, metavar="ROLE=ROLE",
                          help="Map a roster role, e.g. --map administrator=admin.")


@roster_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--school", "school_slug", help="The school's short name (slug). Leave it out to import a "
                                              "OneRoster bundle into every school whose org it lists.")
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
@MAP_OPTION
@MODE_OPTION
@click.option("--allow-deactivations", "allowed", multiple=True, metavar="N|SCHOOL=N",
              help="Confirm a run that deactivates N students, more than the school's limit.")
@click.option("--override-admin-changes", is_flag=True,
              help="Let the file undo deactivations and roles an admin set by hand.")
def import_command(file, school_slug: str | None, dry_run: bool, role_map: tuple[str, ...], mode: str,
                   allowed: tuple[str, ...], override_admin_changes: bool) -> None:
    try:
        source = open_roster(file.read())
        if school_slug is None:
            run = import_district(source, mode=mode, dry_run=dry_run, allowed=parse_allowed(allowed),
                                  role_map=parse_role_map(role_map))
            _echo_district(run, dry_run)
            return
        school = db.session.scalar(select(School).where(School.slug == school_slug))
        if school is None:
            raise click.ClickException(f"No school with the short name {school_slug!r}.")
        plan = plan_import(school, source, parse_role_map(role_map), to_apply=not dry_run, mode=mode,
                           override_admin=override_admin_changes)
    except RosterFileError as exc:
        raise click.ClickException(str(exc)) from None
    confirmed = _one_number(allowed)
    click.echo(f"{plan.format} roster ({plan.mode}): {len(plan.create)} to create, {len(plan.update)} to update, "
               f"{len(plan.deactivate)} to deactivate, {plan.unchanged} unchanged, "
               f"{len(plan.skipped)} skipped, {len(plan.guardians)} guardians.")
    for note in plan.notes:
        click.echo(note)
    for user, why in plan.kept:
        click.echo(f"kept: {user.display_name}: {why} (--override-admin-changes to apply the file)")
    for problem in plan.problems:
        click.echo(f"line {problem.line}: {problem.reason}", err=True)
    if not plan.ok:
        raise click.ClickException(f"{len(plan.problems)} bad rows; nothing was written.")
    held = not plan.confirmed_by(confirmed)
    if held:
        click.echo(f"This would deactivate {plan.deactivated_students} students, more than the school's limit of "
                   f"{plan.deactivation_limit}: run again with --allow-deactivations {plan.deactivated_students} "
                   "if that is right.", err=True)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    if held:
        raise click.ClickException("Nothing was written.")
    result = apply_import(school, plan, confirmed=confirmed)
    audit_import(school, plan, result, "command line")
    db.session.commit()
    click.echo(f"Imported: {result.created} created, {result.updated} updated, "
               f"{result.deactivated} deactivated, {result.guardians} guardians.")


def _one_number(allowed: tuple[str, ...]) -> int | None:
    if not allowed:
        return None
    if len(allowed) > 1 or not allowed[0].isdigit():
        raise click.BadParameter("with --school, give one number: --allow-deactivations N")
    return int(allowed[0])


def _echo_district(run: DistrictRun, dry_run: bool) -> None:
    for line in run.lines():
        click.echo(line)
    if dry_run:
        click.echo("Dry run: nothing was written.")
    elif any(one.result is None for one in run.schools):
        raise click.ClickException("Some schools were not imported (see above); the others were.")


@roster_cli.command("sync")
@click.option("--from", "folder", required=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The drop folder where the school information system delivers its OneRoster bundles.")
@MODE_OPTION
@click.option("--allow-deactivations", "allowed", multiple=True, metavar="SCHOOL=N",
              help="Confirm that a school may lose N students in this run, more than its limit.")
def sync_command(folder: Path, mode: str, allowed: tuple[str, ...]) -> None:
    """Import the newest bundle of the drop folder; a bundle already imported is skipped. Admins of
    each school get a summary by mail (counts only, no names)."""
    try:
        outcome = sync_from(folder, mode=mode, allowed=parse_allowed(allowed))
    except RosterFileError as exc:
        raise click.ClickException(str(exc)) from None
    if outcome.bundle is None:
        click.echo(f"No bundle (.zip) in {folder}: nothing to do.")
        return
    if outcome.already_synced:
        click.echo(f"{outcome.bundle.name} was imported already: nothing to do.")
        return
    _echo_lines(outcome.run.lines(), outcome.bundle.name)
    for one in outcome.run.schools:
        send_mail(current_app.config, admins_to_tell(one.school), f"Roster sync for {one.school.name}",
                  f"The roster sync of {outcome.bundle.name} gave:\n\n{one.summary()}\n\n"
                  "Sign in to schoolpeers to see the accounts.")
    if any(one.result is None for one in outcome.run.schools):
        raise click.ClickException("Some schools were not imported (see above); the next run tries again.")


def _echo_lines(lines: list[str], name: str) -> None:
    click.echo(f"{name}:")
    for line in lines:
        click.echo(f"  {line}")


accounts_cli = AppGroup("accounts", help="Accounts: keys of the secrets kept at rest.")


@accounts_cli.command("reseal-secrets")
def reseal_secrets_command() -> None:
    """Seal every authenticator secret and every sign-in provider's client secret with the first key of
    SCHOOLPEERS_TOTP_KEYS: run it after putting a new key first (then drop the old one), or once to
    encrypt secrets kept from before encryption."""
    keys = current_app.config["TOTP_KEYS"]
    count, providers = two_factor.reseal_all(keys), sso.reseal_client_secrets(keys)
    record_event("accounts.reseal_secrets", school_id=None, detail={"secrets": count, "providers": providers})
    db.session.commit()
    click.echo(f"{count} authenticator secrets and {providers} sign-in provider secrets sealed with the first key.")


@accounts_cli.command("reset-two-factor")
@click.argument("school_slug")
@click.argument("username")
def reset_two_factor_command(school_slug: str, username: str) -> None:
    """Reset someone's two-factor sign-in from the server: for a school whose only counselor lost
    their phone, where no second counselor could approve the reset in the app."""
    user = db.session.scalar(select(User).join(School, School.id == User.school_id).where(
        School.slug == school_slug, User.username == username.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account {username!r} in the school {school_slug!r}.")
    if not two_factor.is_enrolled(user):
        raise click.ClickException(f"{username} has no two-factor sign-in to reset.")
    two_factor.turn_off(user)
    record_event("two_factor.reset_from_command_line", school_id=user.school_id, record_type="user",
                 record_id=user.id)
    db.session.commit()
    click.echo(f"Two-factor sign-in was reset for {username}; they set it up again when they next sign in.")
