"""topics version: a school's topic list is kept per version by the pages that show it

Revision ID: 0020_topics_version
Revises: 0019_district_rollups
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_topics_version'
down_revision = '0019_district_rollups'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('topics_version', sa.String(length=16), server_default='0', nullable=False))


def downgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_column('topics_version')
