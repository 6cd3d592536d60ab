"""The session's database was built by the migrations alone: it must match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from schoolpeers.extensions import db


def test_migrations_reach_head_and_match_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() is not None
        assert compare_metadata(context, db.metadata) == []


def test_downgrade_to_empty_and_back(app):
    from flask_migrate import downgrade, upgrade

    downgrade(revision="base")
    with db.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_revision() is None
    upgrade()
    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata) == []
