"""self check-ins: a mentee's own pulse, concerns raised from it, and the school's choice whether
mentors see their mentee's own face rating

Revision ID: 0013_self_checkins
Revises: 0012_families
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0013_self_checkins'
down_revision = '0012_families'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('self_checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=True),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('wellbeing', sa.Integer(), nullable=False),
    sa.Column('school_work', sa.Integer(), nullable=True),
    sa.Column('friendships', sa.Integer(), nullable=True),
    sa.Column('home', sa.Integer(), nullable=True),
    sa.Column('sleep_energy', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('wants_counselor', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('friendships IS NULL OR friendships BETWEEN 1 AND 5', name=op.f('ck_self_checkins_friendships_range')),
    sa.CheckConstraint('home IS NULL OR home BETWEEN 1 AND 5', name=op.f('ck_self_checkins_home_range')),
    sa.CheckConstraint('school_work IS NULL OR school_work BETWEEN 1 AND 5', name=op.f('ck_self_checkins_school_work_range')),
    sa.CheckConstraint('sleep_energy IS NULL OR sleep_energy BETWEEN 1 AND 5', name=op.f('ck_self_checkins_sleep_energy_range')),
    sa.CheckConstraint('wellbeing BETWEEN 1 AND 5', name=op.f('ck_self_checkins_wellbeing_range')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_self_checkins_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['school_id', 'mentee_id'], ['users.school_id', 'users.id'], name='fk_self_checkins_mentee_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_self_checkins_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_self_checkins'))
    )
    with op.batch_alter_table('self_checkins', schema=None) as batch_op:
        batch_op.create_index('ix_self_checkins_school_mentee_created', ['school_id', 'mentee_id', 'created_at'], unique=False)
        batch_op.create_index('ix_self_checkins_school_occurred', ['school_id', 'occurred_on'], unique=False)
        batch_op.create_index('ix_self_checkins_school_id', ['school_id', 'id'], unique=False)

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('self_checkin_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_concerns_self_checkin_id_self_checkins'), 'self_checkins', ['self_checkin_id'], ['id'])

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('mentor_sees_self_rating', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_column('mentor_sees_self_rating')

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_concerns_self_checkin_id_self_checkins'), type_='foreignkey')
        batch_op.drop_column('self_checkin_id')

    with op.batch_alter_table('self_checkins', schema=None) as batch_op:
        batch_op.drop_index('ix_self_checkins_school_id')
        batch_op.drop_index('ix_self_checkins_school_occurred')
        batch_op.drop_index('ix_self_checkins_school_mentee_created')

    op.drop_table('self_checkins')
