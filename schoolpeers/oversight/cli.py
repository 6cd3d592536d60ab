"""`flask oversight escalate`: the every-minute sweep a scheduler runs. Idempotent."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from schoolpeers.extensions import db
from schoolpeers.oversight import services
from schoolpeers.oversight.notify import notify_lead
from schoolpeers.timeutil import utcnow

oversight_cli = AppGroup("oversight", help="Concerns that need attention.")


@oversight_cli.command("escalate")
def escalate_command() -> None:
    """Escalate unacknowledged high concerns past their deadline; flag overdue check-ins."""
    now = utcnow()
    escalated = services.escalate_overdue(now)
    overdue = services.raise_overdue_checkins(now)
    db.session.commit()
    notify_lead(services.escalated_without_mail())  # this run's, and any whose mail failed before
    click.echo(f"Escalated {len(escalated)} concerns; raised {len(overdue)} overdue check-in concerns.")
