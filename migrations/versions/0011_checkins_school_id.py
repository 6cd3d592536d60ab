"""check-ins: an index on (school, id), so that a school's latest check-in (part of the reports'
cache key) is found at once, not by walking back over other schools' check-ins

Revision ID: 0011_checkins_school_id
Revises: 0010_sign_in_delays
Create Date: 2026-12-04
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_checkins_school_id'
down_revision = '0010_sign_in_delays'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index('ix_checkins_school_id', ['school_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index('ix_checkins_school_id')
