"""mentorships ended index: the dashboard's mentorships ended lately for a reason, from an index

Revision ID: 0022_mentorships_ended_index
Revises: 0021_checkins_deleted
Create Date: 2026-12-06
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0022_mentorships_ended_index'
down_revision = '0021_checkins_deleted'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mentorships', schema=None) as batch_op:
        batch_op.create_index('ix_mentorships_school_end_reason_ended', ['school_id', 'end_reason', 'ended_at'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('mentorships', schema=None) as batch_op:
        batch_op.drop_index('ix_mentorships_school_end_reason_ended')
