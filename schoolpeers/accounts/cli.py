"""`flask roster import FILE`: the same dry run and import as the admin upload page."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from schoolpeers.accounts.models import School
from schoolpeers.accounts.roster import MODES, apply_import, plan_import
from schoolpeers.accounts.roster_files import RosterFileError, decode
from schoolpeers.audit import record_event
from schoolpeers.extensions import db

roster_cli = AppGroup("roster", help="Import users from a school information system.")


def parse_role_map(values: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for value in values:
        source, sep, target = value.partition("=")
        if not sep or target not in ("student", "staff", "counselor", "admin"):
            raise click.BadParameter(f"{value!r}: use ROSTER_ROLE=student|staff|counselor|admin")
        mapping[source.strip().lower()] = target
    return mapping


@roster_cli.command("import")
@click.argument("file", type=click.File("rb"))
@click.option("--school", "school_slug", required=True, help="The school's short name (slug).")
@click.option("--dry-run", is_flag=True, help="Show what would change and write nothing.")
@click.option("--map", "role_map", multiple=True, metavar="ROLE=ROLE",
              help="Map a roster role, e.g. --map administrator=admin.")
@click.option("--mode", type=click.Choice(list(MODES)), default="delta", show_default=True,
              help="delta: change only the people in the file; full: also deactivate everyone missing from it.")
@click.option("--allow-deactivations", type=int, metavar="N",
              help="Confirm a run that deactivates N students, more than the school's limit.")
def import_command(file, school_slug: str, dry_run: bool, role_map: tuple[str, ...], mode: str,
                   allow_deactivations: int | None) -> None:
    school = db.session.scalar(select(School).where(School.slug == school_slug))
    if school is None:
        raise click.ClickException(f"No school with the short name {school_slug!r}.")
    try:
        plan = plan_import(school, decode(file.read()), parse_role_map(role_map), to_apply=not dry_run, mode=mode)
    except RosterFileError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{plan.format} roster ({mode}): {len(plan.create)} to create, {len(plan.update)} to update, "
               f"{len(plan.deactivate)} to deactivate, {plan.unchanged} unchanged, "
               f"{len(plan.skipped)} skipped.")
    for problem in plan.problems:
        click.echo(f"line {problem.line}: {problem.reason}", err=True)
    if not plan.ok:
        raise click.ClickException(f"{len(plan.problems)} bad rows; nothing was written.")
    held = plan.needs_confirmation() and not plan.confirmed_by(allow_deactivations)
    if held:
        click.echo(f"This would deactivate {plan.deactivated_students} students, more than the school's limit of "
                   f"{plan.deactivation_limit}: run again with --allow-deactivations {plan.deactivated_students} "
                   "if that is right.", err=True)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    if held:
        raise click.ClickException("Nothing was written.")
    result = apply_import(school, plan, confirmed=allow_deactivations)
    record_event("roster.import", school_id=school.id, detail={
        "source": "command line", "format": plan.format, "mode": mode, "created": result.created,
        "updated": result.updated, "deactivated": result.deactivated,
    })
    db.session.commit()
    click.echo(f"Imported: {result.created} created, {result.updated} updated, "
               f"{result.deactivated} deactivated.")
