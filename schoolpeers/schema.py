"""The database schema's migrations (Alembic through Flask-Migrate), attached to the app when first
needed: importing Alembic takes about half a second, which every command's start (`flask --help`
included) and every web worker would pay otherwise."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app

from schoolpeers.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def attach(app: Flask) -> None:
    """Flask-Migrate on this app, once; then its commands and functions work on it."""
    if "migrate" not in app.extensions:
        from flask_migrate import Migrate

        Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)


def upgrade(revision: str = "head") -> None:
    """Bring the current app's database to `revision`."""
    attach(current_app._get_current_object())
    from flask_migrate import upgrade as upgrade_to

    upgrade_to(revision=revision)


class MigrationCommands(click.Group):
    """`flask db …`: Flask-Migrate's own group, loaded when it runs. Listed under its name and help
    without loading; parsing the command line hands over to the real group (its options included)."""

    def _loaded(self) -> click.Group:
        attach(current_app._get_current_object())
        from flask_migrate.cli import db as commands

        return commands

    def make_context(self, info_name, args, parent=None, **extra) -> click.Context:
        return self._loaded().make_context(info_name, args, parent=parent, **extra)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._loaded().list_commands(ctx)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        return self._loaded().get_command(ctx, name)


db_commands = MigrationCommands("db", help="Database migrations (Flask-Migrate and Alembic).")
