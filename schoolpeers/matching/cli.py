"""`flask matching run`: the counselor's batch run, from the command line."""
from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from schoolpeers.accounts.models import School
from schoolpeers.audit import record_event
from schoolpeers.extensions import db
from schoolpeers.matching.services import run_batch
from schoolpeers.timeutil import today_in

matching_cli = AppGroup("matching", help="Propose mentors for waiting requests.")


@matching_cli.command("run")
@click.option("--school", "school_slug", required=True, help="The school's short name (slug).")
def run_command(school_slug: str) -> None:
    school = db.session.scalar(select(School).where(School.slug == school_slug))
    if school is None:
        raise click.ClickException(f"No school with the short name {school_slug!r}.")
    result = run_batch(school, None, today_in(school.timezone))
    record_event("matching.run", school_id=school.id,
                 detail={"source": "command line", "proposed": len(result.proposed), "unmatched": result.unmatched})
    db.session.commit()
    click.echo(f"Proposed {len(result.proposed)} pairs ({result.approved} approved automatically); "
               f"{result.unmatched} requests still wait for a free eligible mentor.")
    for mentorship in result.proposed:
        click.echo(f"  {mentorship.mentee.display_name} <- {mentorship.mentor.display_name}: "
                   f"{mentorship.score} ({mentorship.explanation})")
