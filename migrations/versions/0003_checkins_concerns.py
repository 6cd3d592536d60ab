"""check-ins, mentee feedback, concerns

Revision ID: 0003_checkins_concerns
Revises: 0002_mentors_matching
Create Date: 2026-11-22

Check-ins with their corrections, the mentee's feedback, and concerns with their
append-only events.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0003_checkins_concerns'
down_revision = '0002_mentors_matching'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('checkins',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('occurred_on', sa.Date(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=20), nullable=False),
    sa.Column('wellbeing', sa.Integer(), nullable=False),
    sa.Column('school_work', sa.Integer(), nullable=True),
    sa.Column('friendships', sa.Integer(), nullable=True),
    sa.Column('home', sa.Integer(), nullable=True),
    sa.Column('sleep_energy', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.Column('worried', sa.Boolean(), nullable=False),
    sa.Column('worry_reason', sa.Text(), nullable=True),
    sa.Column('worry_severity', sa.String(length=10), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("mode IN ('in_person', 'online')", name=op.f('ck_checkins_mode_known')),
    sa.CheckConstraint('duration_minutes BETWEEN 5 AND 180', name=op.f('ck_checkins_duration_range')),
    sa.CheckConstraint('friendships IS NULL OR friendships BETWEEN 1 AND 5', name=op.f('ck_checkins_friendships_range')),
    sa.CheckConstraint('home IS NULL OR home BETWEEN 1 AND 5', name=op.f('ck_checkins_home_range')),
    sa.CheckConstraint('school_work IS NULL OR school_work BETWEEN 1 AND 5', name=op.f('ck_checkins_school_work_range')),
    sa.CheckConstraint('sleep_energy IS NULL OR sleep_energy BETWEEN 1 AND 5', name=op.f('ck_checkins_sleep_energy_range')),
    sa.CheckConstraint('wellbeing BETWEEN 1 AND 5', name=op.f('ck_checkins_wellbeing_range')),
    sa.ForeignKeyConstraint(['mentee_id'], ['users.id'], name=op.f('fk_checkins_mentee_id_users')),
    sa.ForeignKeyConstraint(['mentor_id'], ['users.id'], name=op.f('fk_checkins_mentor_id_users')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_checkins_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_checkins_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkins'))
    )
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.create_index('ix_checkins_school_mentee_occurred', ['school_id', 'mentee_id', 'occurred_on'], unique=False)
        batch_op.create_index('ix_checkins_school_mentorship_occurred', ['school_id', 'mentorship_id', 'occurred_on'], unique=False)

    op.create_table('mentee_feedback',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('rating', sa.String(length=20), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("rating IN ('going_well', 'okay', 'not_a_good_fit')", name=op.f('ck_mentee_feedback_rating_known')),
    sa.ForeignKeyConstraint(['mentee_id'], ['users.id'], name=op.f('fk_mentee_feedback_mentee_id_users')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_mentee_feedback_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_mentee_feedback_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentee_feedback'))
    )
    with op.batch_alter_table('mentee_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mentee_feedback_mentorship_id'), ['mentorship_id'], unique=False)
        batch_op.create_index('ix_mentee_feedback_school_rating_created', ['school_id', 'rating', 'created_at'], unique=False)

    op.create_table('checkin_revisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('previous', sa.JSON(), nullable=False),
    sa.Column('edited_by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_checkin_revisions_checkin_id_checkins')),
    sa.ForeignKeyConstraint(['edited_by_id'], ['users.id'], name=op.f('fk_checkin_revisions_edited_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_checkin_revisions_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_revisions'))
    )
    with op.batch_alter_table('checkin_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_revisions_checkin_id'), ['checkin_id'], unique=False)

    op.create_table('checkin_topics',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_checkin_topics_checkin_id_checkins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_checkin_topics_school_id_schools')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_checkin_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('checkin_id', 'topic_id', name=op.f('pk_checkin_topics'))
    )
    with op.batch_alter_table('checkin_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_checkin_topics_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_checkin_topics_topic_id'), ['topic_id'], unique=False)

    op.create_table('concerns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=True),
    sa.Column('checkin_id', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=30), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('raised_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ack_due_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=30), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("severity IN ('high', 'medium', 'low')", name=op.f('ck_concerns_severity_known')),
    sa.CheckConstraint("status IN ('open', 'acknowledged', 'resolved')", name=op.f('ck_concerns_status_known')),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_concerns_checkin_id_checkins')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_concerns_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['raised_by_id'], ['users.id'], name=op.f('fk_concerns_raised_by_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_concerns_school_id_schools')),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_concerns_student_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concerns'))
    )
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.create_index('ix_concerns_school_status_severity', ['school_id', 'status', 'severity'], unique=False)
        batch_op.create_index('ix_concerns_school_student', ['school_id', 'student_id'], unique=False)

    op.create_table('concern_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_concern_events_actor_id_users')),
    sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], name=op.f('fk_concern_events_concern_id_concerns')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_concern_events_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_concern_events'))
    )
    with op.batch_alter_table('concern_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_concern_events_concern_id'), ['concern_id'], unique=False)



def downgrade():
    with op.batch_alter_table('concern_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_concern_events_concern_id'))

    op.drop_table('concern_events')
    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_index('ix_concerns_school_student')
        batch_op.drop_index('ix_concerns_school_status_severity')

    op.drop_table('concerns')
    with op.batch_alter_table('checkin_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_topics_topic_id'))
        batch_op.drop_index(batch_op.f('ix_checkin_topics_school_id'))

    op.drop_table('checkin_topics')
    with op.batch_alter_table('checkin_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_checkin_revisions_checkin_id'))

    op.drop_table('checkin_revisions')
    with op.batch_alter_table('mentee_feedback', schema=None) as batch_op:
        batch_op.drop_index('ix_mentee_feedback_school_rating_created')
        batch_op.drop_index(batch_op.f('ix_mentee_feedback_mentorship_id'))

    op.drop_table('mentee_feedback')
    with op.batch_alter_table('checkins', schema=None) as batch_op:
        batch_op.drop_index('ix_checkins_school_mentorship_occurred')
        batch_op.drop_index('ix_checkins_school_mentee_occurred')

    op.drop_table('checkins')
