"""reports: the school's choice of protection, and differential-privacy releases

Revision ID: 0007_report_protection
Revises: 0006_screening_marks
Create Date: 2026-12-03

A school chooses how its reports are protected: cell keys (the default) or differential privacy
with a budget of ε per school year. Each differential-privacy release (a closed term or school
year) is stored once, with the ε it spent.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0007_report_protection'
down_revision = '0006_screening_marks'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_protection', sa.String(length=20), server_default='cell_key',
                                      nullable=False))
        batch_op.add_column(sa.Column('dp_epsilon_per_year', sa.Float(), server_default='1.0', nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_schools_report_protection_known'), "report_protection IN ('cell_key', 'differential_privacy')")
        batch_op.create_check_constraint(
            op.f('ck_schools_dp_epsilon_range'), "dp_epsilon_per_year > 0 AND dp_epsilon_per_year <= 10")
    op.create_table('dp_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=10), nullable=False),
    sa.Column('label', sa.String(length=40), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('school_year', sa.String(length=10), nullable=False),
    sa.Column('epsilon', sa.Float(), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.Column('released_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("level IN ('term', 'year')", name=op.f('ck_dp_releases_level_known')),
    sa.CheckConstraint('epsilon > 0', name=op.f('ck_dp_releases_epsilon_positive')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_dp_releases_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dp_releases')),
    sa.UniqueConstraint('school_id', 'level', 'label', name=op.f('uq_dp_releases_school_id_level_label'))
    )


def downgrade():
    op.drop_table('dp_releases')
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_schools_dp_epsilon_range'), type_='check')
        batch_op.drop_constraint(op.f('ck_schools_report_protection_known'), type_='check')
        batch_op.drop_column('dp_epsilon_per_year')
        batch_op.drop_column('report_protection')
