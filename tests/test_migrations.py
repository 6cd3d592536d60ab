"""The session's database was built by the migrations alone: it must match the models."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from schoolpeers.extensions import db


def test_migrations_reach_head_and_match_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert context.get_current_revision() is not None
        assert compare_metadata(context, db.metadata) == []
