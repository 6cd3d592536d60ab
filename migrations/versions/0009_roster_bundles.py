"""roster: OneRoster org of a school, uploads kept between check and import, guardians as listed by the
school information system, roles an admin set by hand, setup letters' short codes, background jobs,
and room for sealed (encrypted) authenticator secrets

Revision ID: 0009_roster_bundles
Revises: 0008_roster_guard
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0009_roster_bundles'
down_revision = '0008_roster_guard'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('roster_org_id', sa.String(length=100), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_schools_roster_org_id'), ['roster_org_id'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role_set_by_admin', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))
        batch_op.add_column(sa.Column('setup_code_hash', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('setup_code_expires_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_users_setup_code_hash'), ['setup_code_hash'])
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=64), type_=sa.String(length=255),
                              existing_nullable=True)
    op.create_table('roster_uploads',
    sa.Column('id', sa.String(length=48), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.Column('deactivations', sa.Integer(), nullable=False),
    sa.Column('confirmation_needed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_roster_uploads_school_id_schools')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_roster_uploads_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_uploads'))
    )
    with op.batch_alter_table('roster_uploads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_uploads_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_roster_uploads_user_id'), ['user_id'], unique=False)
    op.create_table('roster_guardians',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('roster_id', sa.String(length=100), nullable=False),
    sa.Column('relationship_kind', sa.String(length=20), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('student_roster_ids', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_roster_guardians_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_roster_guardians')),
    sa.UniqueConstraint('school_id', 'roster_id', name=op.f('uq_roster_guardians_school_id_roster_id'))
    )
    with op.batch_alter_table('roster_guardians', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_roster_guardians_school_id'), ['school_id'], unique=False)
    op.create_table('jobs',
    sa.Column('id', sa.String(length=48), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('arguments', sa.JSON(), nullable=False),
    sa.Column('outcome', sa.JSON(), nullable=False),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('queued', 'running', 'done', 'refused', 'failed')",
                       name=op.f('ck_jobs_status_known')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_jobs_school_id_schools')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_jobs_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_jobs_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_user_id'))
        batch_op.drop_index(batch_op.f('ix_jobs_school_id'))
    op.drop_table('jobs')
    with op.batch_alter_table('roster_guardians', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_guardians_school_id'))
    op.drop_table('roster_guardians')
    with op.batch_alter_table('roster_uploads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_uploads_user_id'))
        batch_op.drop_index(batch_op.f('ix_roster_uploads_school_id'))
    op.drop_table('roster_uploads')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.alter_column('totp_secret', existing_type=sa.String(length=255), type_=sa.String(length=64),
                              existing_nullable=True)
        batch_op.drop_constraint(batch_op.f('uq_users_setup_code_hash'), type_='unique')
        batch_op.drop_column('setup_code_expires_at')
        batch_op.drop_column('setup_code_hash')
        batch_op.drop_column('role_set_by_admin')
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_schools_roster_org_id'), type_='unique')
        batch_op.drop_column('roster_org_id')
