"""mentors and matching: profiles, training, mentorships, requests

Revision ID: 0002_mentors_matching
Revises: 0001_accounts
Create Date: 2026-11-22

Child tables prove that the people they name belong to their school with composite foreign
keys to users (school_id, id). A mentee's single open mentorship and a student's single open
request are partial unique indexes. Unique keys lead with school_id (sharding by school).
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0002_mentors_matching'
down_revision = '0001_accounts'
branch_labels = None
depends_on = None


def upgrade():
    # First, so that the composite "same school" foreign keys below have a key to refer to.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_users_school_id_id', ['school_id', 'id'])

    op.create_table('training_modules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_training_modules_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_modules')),
    sa.UniqueConstraint('school_id', 'name', name=op.f('uq_training_modules_school_id_name'))
    )
    with op.batch_alter_table('training_modules', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_modules_school_id'), ['school_id'], unique=False)

    op.create_table('blocked_pairs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_blocked_pairs_created_by_id_users')),
    sa.ForeignKeyConstraint(['school_id', 'mentee_id'], ['users.school_id', 'users.id'], name='fk_blocked_pairs_mentee_same_school'),
    sa.ForeignKeyConstraint(['school_id', 'mentor_id'], ['users.school_id', 'users.id'], name='fk_blocked_pairs_mentor_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_blocked_pairs_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blocked_pairs')),
    sa.UniqueConstraint('school_id', 'mentee_id', 'mentor_id', name=op.f('uq_blocked_pairs_school_id_mentee_id_mentor_id'))
    )
    op.create_table('mentor_profiles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('bio', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('availability', sa.JSON(), nullable=False),
    sa.Column('motivation', sa.Text(), nullable=False),
    sa.Column('certified_until', sa.Date(), nullable=True),
    sa.Column('certified_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('applied', 'active', 'paused', 'declined')", name=op.f('ck_mentor_profiles_status_known')),
    sa.CheckConstraint('capacity BETWEEN 1 AND 5', name=op.f('ck_mentor_profiles_capacity_range')),
    sa.ForeignKeyConstraint(['certified_by_id'], ['users.id'], name=op.f('fk_mentor_profiles_certified_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_mentor_profiles_decided_by_id_users')),
    sa.ForeignKeyConstraint(['school_id', 'user_id'], ['users.school_id', 'users.id'], name='fk_mentor_profiles_user_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_mentor_profiles_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_profiles')),
    sa.UniqueConstraint('school_id', 'user_id', name=op.f('uq_mentor_profiles_school_id_user_id'))
    )
    with op.batch_alter_table('mentor_profiles', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_profiles_school_status', ['school_id', 'status'], unique=False)

    op.create_table('mentor_topics',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['profile_id'], ['mentor_profiles.id'], name=op.f('fk_mentor_topics_profile_id_mentor_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_mentor_topics_school_id_schools')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_mentor_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('profile_id', 'topic_id', name=op.f('pk_mentor_topics'))
    )
    with op.batch_alter_table('mentor_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentor_topics_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_mentor_topics_topic_id'), ['topic_id'], unique=False)

    op.create_table('mentorships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('score_parts', sa.JSON(), nullable=False),
    sa.Column('began_on', sa.Date(), nullable=True),
    sa.Column('end_reason', sa.String(length=30), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('proposed', 'active', 'closed', 'rejected')", name=op.f('ck_mentorships_status_known')),
    sa.CheckConstraint('mentor_id <> mentee_id', name=op.f('ck_mentorships_different_people')),
    sa.CheckConstraint('score BETWEEN 0 AND 100', name=op.f('ck_mentorships_score_range')),
    sa.ForeignKeyConstraint(['profile_id'], ['mentor_profiles.id'], name=op.f('fk_mentorships_profile_id_mentor_profiles')),
    sa.ForeignKeyConstraint(['school_id', 'mentee_id'], ['users.school_id', 'users.id'], name='fk_mentorships_mentee_same_school'),
    sa.ForeignKeyConstraint(['school_id', 'mentor_id'], ['users.school_id', 'users.id'], name='fk_mentorships_mentor_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_mentorships_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorships'))
    )
    with op.batch_alter_table('mentorships', schema=None) as batch_op:
        batch_op.create_index('ix_mentorships_school_profile_status', ['school_id', 'profile_id', 'status'], unique=False)
        batch_op.create_index('ix_mentorships_school_status', ['school_id', 'status'], unique=False)
        batch_op.create_index('uq_mentorships_one_open_per_mentee', ['school_id', 'mentee_id'], unique=True, sqlite_where=sa.text("status IN ('proposed', 'active')"), postgresql_where=sa.text("status IN ('proposed', 'active')"))

    op.create_table('training_completions',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('profile_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['module_id'], ['training_modules.id'], name=op.f('fk_training_completions_module_id_training_modules'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['profile_id'], ['mentor_profiles.id'], name=op.f('fk_training_completions_profile_id_mentor_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_training_completions_recorded_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_training_completions_school_id_schools')),
    sa.PrimaryKeyConstraint('profile_id', 'module_id', name=op.f('pk_training_completions'))
    )
    with op.batch_alter_table('training_completions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_training_completions_school_id'), ['school_id'], unique=False)

    op.create_table('mentor_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('language', sa.String(length=40), nullable=True),
    sa.Column('same_gender', sa.Boolean(), nullable=False),
    sa.Column('availability', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('mentorship_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('open', 'matched', 'withdrawn', 'closed')", name=op.f('ck_mentor_requests_status_known')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_mentor_requests_created_by_id_users')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_mentor_requests_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['school_id', 'student_id'], ['users.school_id', 'users.id'], name='fk_mentor_requests_student_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_mentor_requests_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_requests'))
    )
    with op.batch_alter_table('mentor_requests', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_requests_school_status_created', ['school_id', 'status', 'created_at'], unique=False)
        batch_op.create_index('uq_mentor_requests_one_open_per_student', ['school_id', 'student_id'], unique=True, sqlite_where=sa.text("status IN ('open', 'matched')"), postgresql_where=sa.text("status IN ('open', 'matched')"))

    op.create_table('mentorship_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=30), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_mentorship_events_actor_id_users')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_mentorship_events_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_mentorship_events_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentorship_events'))
    )
    with op.batch_alter_table('mentorship_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentorship_events_mentorship_id'), ['mentorship_id'], unique=False)

    op.create_table('request_interests',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('interest_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['interest_id'], ['interests.id'], name=op.f('fk_request_interests_interest_id_interests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['mentor_requests.id'], name=op.f('fk_request_interests_request_id_mentor_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_request_interests_school_id_schools')),
    sa.PrimaryKeyConstraint('request_id', 'interest_id', name=op.f('pk_request_interests'))
    )
    with op.batch_alter_table('request_interests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_interests_interest_id'), ['interest_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_interests_school_id'), ['school_id'], unique=False)

    op.create_table('request_topics',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['mentor_requests.id'], name=op.f('fk_request_topics_request_id_mentor_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_request_topics_school_id_schools')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_request_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('request_id', 'topic_id', name=op.f('pk_request_topics'))
    )
    with op.batch_alter_table('request_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_topics_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_request_topics_topic_id'), ['topic_id'], unique=False)



def downgrade():
    with op.batch_alter_table('request_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_topics_topic_id'))
        batch_op.drop_index(batch_op.f('ix_request_topics_school_id'))

    op.drop_table('request_topics')
    with op.batch_alter_table('request_interests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_interests_school_id'))
        batch_op.drop_index(batch_op.f('ix_request_interests_interest_id'))

    op.drop_table('request_interests')
    with op.batch_alter_table('mentorship_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentorship_events_mentorship_id'))

    op.drop_table('mentorship_events')
    with op.batch_alter_table('mentor_requests', schema=None) as batch_op:
        batch_op.drop_index('uq_mentor_requests_one_open_per_student', sqlite_where=sa.text("status IN ('open', 'matched')"), postgresql_where=sa.text("status IN ('open', 'matched')"))
        batch_op.drop_index('ix_mentor_requests_school_status_created')

    op.drop_table('mentor_requests')
    with op.batch_alter_table('training_completions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_completions_school_id'))

    op.drop_table('training_completions')
    with op.batch_alter_table('mentorships', schema=None) as batch_op:
        batch_op.drop_index('uq_mentorships_one_open_per_mentee', sqlite_where=sa.text("status IN ('proposed', 'active')"), postgresql_where=sa.text("status IN ('proposed', 'active')"))
        batch_op.drop_index('ix_mentorships_school_status')
        batch_op.drop_index('ix_mentorships_school_profile_status')

    op.drop_table('mentorships')
    with op.batch_alter_table('mentor_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mentor_topics_topic_id'))
        batch_op.drop_index(batch_op.f('ix_mentor_topics_school_id'))

    op.drop_table('mentor_topics')
    with op.batch_alter_table('mentor_profiles', schema=None) as batch_op:
        batch_op.drop_index('ix_mentor_profiles_school_status')

    op.drop_table('mentor_profiles')
    op.drop_table('blocked_pairs')
    with op.batch_alter_table('training_modules', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_training_modules_school_id'))

    op.drop_table('training_modules')
    # Last: the composite foreign keys dropped above depended on it.
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_school_id_id', type_='unique')
