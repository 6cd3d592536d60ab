"""sign-in: growing delays counted per key instead of a per-account lock; account changes that wait
for a counselor's approval; report files made in the background

Revision ID: 0010_sign_in_delays
Revises: 0009_roster_bundles
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0010_sign_in_delays'
down_revision = '0009_roster_bundles'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sign_in_throttles',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('wait_until', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_sign_in_throttles'))
    )
    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_throttles_last_failure_at'), ['last_failure_at'], unique=False)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('locked_until')
        batch_op.drop_column('failed_logins')
    op.create_table('account_approvals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("kind IN ('grant_counselor', 'reset_two_factor', 'setup_link')",
                       name=op.f('ck_account_approvals_kind_known')),
    sa.CheckConstraint("status IN ('pending', 'approved', 'refused')", name=op.f('ck_account_approvals_status_known')),
    sa.CheckConstraint('decided_by_id IS NULL OR decided_by_id <> requested_by_id',
                       name=op.f('ck_account_approvals_second_person')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_account_approvals_school_id_schools')),
    sa.ForeignKeyConstraint(['school_id', 'user_id'], ['users.school_id', 'users.id'],
                            name='fk_account_approvals_user_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'],
                            name=op.f('fk_account_approvals_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'],
                            name=op.f('fk_account_approvals_decided_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_approvals'))
    )
    with op.batch_alter_table('account_approvals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_approvals_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_approvals_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_account_approvals_one_pending', ['school_id', 'user_id', 'kind'], unique=True,
                              sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))

    op.create_table('report_export_files',
    sa.Column('job_id', sa.String(length=48), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_report_export_files_job_id_jobs'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_report_export_files_school_id_schools')),
    sa.PrimaryKeyConstraint('job_id', name=op.f('pk_report_export_files'))
    )
    with op.batch_alter_table('report_export_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_export_files_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_export_files_school_id'), ['school_id'], unique=False)


def downgrade():
    op.drop_table('report_export_files')
    op.drop_table('account_approvals')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('sign_in_throttles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_throttles_last_failure_at'))
    op.drop_table('sign_in_throttles')
