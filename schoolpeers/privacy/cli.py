"""`flask retention purge` (a scheduler runs it daily) and `flask backup PATH` for SQLite."""
from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup, with_appcontext
from sqlalchemy import select

from schoolpeers.accounts import roster_uploads, throttles
from schoolpeers.accounts.models import School
from schoolpeers.audit import record_event
from schoolpeers.extensions import db
from schoolpeers.privacy.backup import BackupError, backup_sqlite, check_backup, restore_sqlite
from schoolpeers.privacy.retention import purge_school
from schoolpeers.reports import export_jobs
from schoolpeers.timeutil import utcnow

retention_cli = AppGroup("retention", help="Remove free text kept longer than each school's retention period.")

POSTGRESQL_ADVICE = (
    "The database is PostgreSQL: back it up with its own tools, e.g. `pg_dump -Fc -f schoolpeers.dump "
    "$DATABASE_URL`, and restore with `pg_restore --clean --if-exists -d $DATABASE_URL schoolpeers.dump` "
    "(README, Backups)."
)


@retention_cli.command("purge")
@click.option("--school", "school_slug", help="Only this school (its short name); every school if left out.")
@click.option("--dry-run", is_flag=True, help="Count what would be removed and change nothing.")
def purge_command(school_slug: str | None, dry_run: bool) -> None:
    """Remove notes and concern text past the retention period. Idempotent."""
    query = select(School).order_by(School.id)
    if school_slug:
        query = query.where(School.slug == school_slug)
    schools = list(db.session.scalars(query))
    if school_slug and not schools:
        raise click.ClickException(f"No school with the short name {school_slug!r}.")
    now = utcnow()
    for school in schools:
        result = purge_school(school, now, dry_run=dry_run)
        if result.total and not dry_run:
            record_event("retention.purge", school_id=school.id, record_type="school", record_id=school.id,
                         detail={"counts": result.counts, "cutoff": result.cutoff.isoformat()})
        click.echo(f"{school.slug} (closed before {result.cutoff:%Y-%m-%d}): {result.describe()}.")
    if not dry_run and not school_slug:
        click.echo(f"Roster files checked but never imported, removed: {roster_uploads.discard_stale()}.")
        click.echo(f"Failed sign-in counters no longer needed, removed: {throttles.purge_quiet()}.")
        click.echo(f"Report files made in the background over a day ago, removed: {export_jobs.discard_old()}.")
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was changed.")
    else:
        db.session.commit()


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--restore", is_flag=True,
              help="Replace the database with the backup at PATH. Stop the app servers first.")
@click.option("--yes", is_flag=True, help="Restore without asking for confirmation.")
@with_appcontext
def backup_command(path: Path, restore: bool, yes: bool) -> None:
    """Back up the SQLite database to PATH while the app runs (or restore it with --restore)."""
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(POSTGRESQL_ADVICE)
    if not url.database or url.database == ":memory:":
        raise click.ClickException("The database lives in memory only; there is no file to back up.")
    database = Path(url.database)
    try:
        if restore:
            check_backup(path)  # a bad file is refused before anyone is asked or anything is closed
            if not yes:
                click.confirm(f"Replace everything in {database} with {path}?", abort=True)
            db.session.remove()
            db.engine.dispose()  # no pooled connection keeps reading the old content
            revision = restore_sqlite(path, database)
            click.echo(f"Restored {database} from {path} (schema revision {revision}). "
                       "Run `flask --app schoolpeers db upgrade` if the app is newer than the backup.")
        else:
            size = backup_sqlite(database, path)
            click.echo(f"Backed up {database} to {path} ({size:,} bytes).")
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
