"""two-factor, account lock, erasure, redaction

Revision ID: 0004_security_privacy
Revises: 0003_checkins_concerns
Create Date: 2026-11-22

TOTP secrets and hashed recovery codes, the failed-sign-in counter and lock, the school's
choice for erased students' numeric rows, and marks for erased people and redacted concerns.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0004_security_privacy'
down_revision = '0003_checkins_concerns'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_recovery_codes_school_id_schools')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('redacted_at', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erasure_mode', sa.String(length=10), server_default='unlink', nullable=False))
        batch_op.create_check_constraint('erasure_mode_known', "erasure_mode IN ('unlink', 'delete')")

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sa.DateTime(timezone=True), nullable=True))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_schools_erasure_mode_known'), type_='check')
        batch_op.drop_column('erasure_mode')

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_column('redacted_at')

    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))
        batch_op.drop_index(batch_op.f('ix_recovery_codes_school_id'))

    op.drop_table('recovery_codes')
