"""checkins deleted: a school counts the check-ins ever deleted, by a trigger

The reports' data fingerprint read every check-in of the school to count them, on every report; with
this count (and the highest id, for those added) it reads two index entries. A trigger, not the app,
keeps it, so that no way of deleting a check-in can leave a report built before it.

A batch migration that recreates `checkins` on SQLite drops its triggers: create this one again there.

Revision ID: 0021_checkins_deleted
Revises: 0020_topics_version
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_checkins_deleted'
down_revision = '0020_topics_version'
branch_labels = None
depends_on = None

COUNT = "UPDATE schools SET checkins_deleted = checkins_deleted + 1 WHERE id = OLD.school_id"


def upgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('checkins_deleted', sa.Integer(), server_default='0', nullable=False))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION count_deleted_checkin() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN {COUNT}; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER checkins_count_deleted AFTER DELETE ON checkins "
                   "FOR EACH ROW EXECUTE FUNCTION count_deleted_checkin()")
    else:
        op.execute(f"CREATE TRIGGER checkins_count_deleted AFTER DELETE ON checkins BEGIN {COUNT}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER checkins_count_deleted ON checkins")
        op.execute("DROP FUNCTION count_deleted_checkin()")
    else:
        op.execute("DROP TRIGGER checkins_count_deleted")
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_column('checkins_deleted')
