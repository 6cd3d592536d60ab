"""`flask families remind`: the daily reminder to families who have not answered."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from schoolpeers import outbox
from schoolpeers.accounts.models import School
from schoolpeers.extensions import db
from schoolpeers.families import asking
from schoolpeers.timeutil import utcnow

families_cli = AppGroup("families", help="Families: consent requests and reminders.")


@families_cli.command("remind")
def remind_command() -> None:
    """Remind the families who have not answered a consent request (run once a day)."""
    now, reminded = utcnow(), 0
    # Links in the mail are built like a page's, on the configured address.
    with current_app.test_request_context(base_url=current_app.config["BASE_URL"]):
        for school in db.session.scalars(select(School).where(School.archived_at.is_(None)).order_by(School.id)):
            reminded += len(asking.remind(school, now))
        db.session.commit()
    sent = outbox.deliver()
    click.echo(f"{reminded} reminders written, {sent} mails sent.")
