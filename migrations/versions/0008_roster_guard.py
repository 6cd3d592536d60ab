"""roster: the share of a school's active students an import may deactivate unconfirmed, and
accounts an admin deactivated by hand (an import leaves them inactive)

Revision ID: 0008_roster_guard
Revises: 0007_report_protection
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008_roster_guard'
down_revision = '0007_report_protection'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster_deactivation_limit_percent', sa.Integer(), server_default='10',
                                      nullable=False))
        batch_op.create_check_constraint(
            op.f('ck_schools_roster_limit_range'), "roster_deactivation_limit_percent BETWEEN 0 AND 100")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_by_admin', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deactivated_by_admin')
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_schools_roster_limit_range'), type_='check')
        batch_op.drop_column('roster_deactivation_limit_percent')
