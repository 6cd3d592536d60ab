"""district roll-ups: each district's newest roll-up report, built in the background and stored
(published figures only)

Revision ID: 0019_district_rollups
Revises: 0018_districts
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_district_rollups'
down_revision = '0018_districts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('district_rollups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('key_digest', sa.String(length=64), nullable=False),
    sa.Column('built_on', sa.Date(), nullable=False),
    sa.Column('built_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_district_rollups_district_id_districts')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_district_rollups_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_district_rollups')),
    sa.UniqueConstraint('district_id', name=op.f('uq_district_rollups_district_id'))
    )
    with op.batch_alter_table('district_rollups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_district_rollups_school_id'), ['school_id'], unique=False)


def downgrade():
    with op.batch_alter_table('district_rollups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_district_rollups_school_id'))
    op.drop_table('district_rollups')
