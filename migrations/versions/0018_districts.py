"""districts: districts owning schools (an office per district holds its admins and analysts),
district floors for k, retention and two-factor sign-in, archived schools, password sign-in per
school, and each district's OpenID Connect providers with the subjects bound to accounts

Revision ID: 0018_districts
Revises: 0017_circles
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

OLD_ROLES = "role IN ('student', 'counselor', 'staff', 'admin')"
NEW_ROLES = "role IN ('student', 'counselor', 'staff', 'admin', 'district_admin', 'district_analyst')"


# revision identifiers, used by Alembic.
revision = '0018_districts'
down_revision = '0017_circles'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('districts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('min_group_size', sa.Integer(), nullable=False),
    sa.Column('retention_days', sa.Integer(), nullable=False),
    sa.Column('two_factor_all_adults', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('min_group_size >= 5', name=op.f('ck_districts_district_min_group_size_floor')),
    sa.CheckConstraint('retention_days BETWEEN 30 AND 3650', name=op.f('ck_districts_district_retention_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_districts')),
    sa.UniqueConstraint('slug', name=op.f('uq_districts_slug'))
    )
    op.create_table('sign_in_providers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('issuer', sa.String(length=300), nullable=False),
    sa.Column('client_id', sa.String(length=300), nullable=False),
    sa.Column('client_secret_sealed', sa.String(length=1000), nullable=False),
    sa.Column('allowed_domains', sa.JSON(), nullable=False),
    sa.Column('roster_id_claim', sa.String(length=100), nullable=True),
    sa.Column('trust_provider_mfa', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('enabled', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('google', 'microsoft', 'oidc')", name=op.f('ck_sign_in_providers_sign_in_provider_kind_known')),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_sign_in_providers_district_id_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sign_in_providers')),
    sa.UniqueConstraint('district_id', 'issuer', name='uq_sign_in_providers_district_issuer')
    )
    with op.batch_alter_table('sign_in_providers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sign_in_providers_district_id'), ['district_id'], unique=False)

    op.create_table('sso_identities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('district_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['district_id'], ['districts.id'], name=op.f('fk_sso_identities_district_id_districts')),
    sa.ForeignKeyConstraint(['provider_id'], ['sign_in_providers.id'], name=op.f('fk_sso_identities_provider_id_sign_in_providers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id', 'user_id'], ['users.school_id', 'users.id'], name='fk_sso_identities_user_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_sso_identities_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sso_identities')),
    sa.UniqueConstraint('provider_id', 'subject', name='uq_sso_identities_provider_subject'),
    sa.UniqueConstraint('provider_id', 'user_id', name='uq_sso_identities_provider_user')
    )
    with op.batch_alter_table('sso_identities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sso_identities_district_id'), ['district_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sso_identities_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_sso_identities_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=20), server_default='school', nullable=False))
        batch_op.add_column(sa.Column('district_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('password_sign_in', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('two_factor_all_adults', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index(batch_op.f('ix_schools_district_id'), ['district_id'], unique=False)
        batch_op.create_index('uq_schools_one_office_per_district', ['district_id'], unique=True, sqlite_where=sa.text("kind = 'district_office'"), postgresql_where=sa.text("kind = 'district_office'"))
        batch_op.create_foreign_key(batch_op.f('fk_schools_district_id_districts'), 'districts', ['district_id'], ['id'])
        batch_op.create_check_constraint('school_kind_known', "kind IN ('school', 'district_office')")
        batch_op.create_check_constraint('office_of_a_district', "kind = 'school' OR district_id IS NOT NULL")

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint('role_known', NEW_ROLES)


def downgrade():
    op.execute("DELETE FROM users WHERE role IN ('district_admin', 'district_analyst')")
    op.execute("DELETE FROM schools WHERE kind = 'district_office'")
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_users_role_known'), type_='check')
        batch_op.create_check_constraint('role_known', OLD_ROLES)

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_schools_office_of_a_district'), type_='check')
        batch_op.drop_constraint(op.f('ck_schools_school_kind_known'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_schools_district_id_districts'), type_='foreignkey')
        batch_op.drop_index('uq_schools_one_office_per_district', sqlite_where=sa.text("kind = 'district_office'"), postgresql_where=sa.text("kind = 'district_office'"))
        batch_op.drop_index(batch_op.f('ix_schools_district_id'))
        batch_op.drop_column('two_factor_all_adults')
        batch_op.drop_column('password_sign_in')
        batch_op.drop_column('archived_at')
        batch_op.drop_column('district_id')
        batch_op.drop_column('kind')

    with op.batch_alter_table('sso_identities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sso_identities_user_id'))
        batch_op.drop_index(batch_op.f('ix_sso_identities_school_id'))
        batch_op.drop_index(batch_op.f('ix_sso_identities_district_id'))

    op.drop_table('sso_identities')
    with op.batch_alter_table('sign_in_providers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_sign_in_providers_district_id'))

    op.drop_table('sign_in_providers')
    op.drop_table('districts')
