"""circles: peer-support circles, their leaders and members, session plans, group sessions (a
circle's, or an open workshop) with attendance, mood rounds and anonymous feedback (counts, and
comments without a name); concerns raised from a session (about a member, or about a circle as a
group); supervision sessions that debrief a circle's leaders; training modules for leading a circle;
the circles report of each ended school year, as first published

Revision ID: 0017_circles
Revises: 0016_programme
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0017_circles'
down_revision = '0016_programme'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('circles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('about', sa.Text(), nullable=False),
    sa.Column('grade_min', sa.Integer(), nullable=False),
    sa.Column('grade_max', sa.Integer(), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=False),
    sa.Column('counselor_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('open', 'closed')", name=op.f('ck_circles_status_known')),
    sa.CheckConstraint('capacity BETWEEN 4 AND 10', name=op.f('ck_circles_capacity_range')),
    sa.CheckConstraint('grade_min <= grade_max', name=op.f('ck_circles_grade_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_circles_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id', 'counselor_id'], ['users.school_id', 'users.id'], name='fk_circles_counselor_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_circles_school_id_schools')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_circles_topic_id_topics')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circles')),
    sa.UniqueConstraint('school_id', 'id', name='uq_circles_school_id_id'),
    sa.UniqueConstraint('school_id', 'name', name=op.f('uq_circles_school_id_name'))
    )
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.create_index('ix_circles_school_status', ['school_id', 'status'], unique=False)

    op.create_table('session_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=True),
    sa.Column('opening_round', sa.Text(), nullable=False),
    sa.Column('activity', sa.Text(), nullable=False),
    sa.Column('coping_skill', sa.Text(), nullable=False),
    sa.Column('closing_round', sa.Text(), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('minutes BETWEEN 20 AND 120', name=op.f('ck_session_plans_minutes_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_session_plans_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_session_plans_school_id_schools')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_session_plans_topic_id_topics'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_plans')),
    sa.UniqueConstraint('school_id', 'id', name='uq_session_plans_school_id_id'),
    sa.UniqueConstraint('school_id', 'title', name=op.f('uq_session_plans_school_id_title'))
    )
    with op.batch_alter_table('session_plans', schema=None) as batch_op:
        batch_op.create_index('ix_session_plans_school_active', ['school_id', 'active'], unique=False)

    op.create_table('circle_leaders',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('leader_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id', 'circle_id'], ['circles.school_id', 'circles.id'], name='fk_circle_leaders_circle_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id', 'leader_id'], ['users.school_id', 'users.id'], name='fk_circle_leaders_leader_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_circle_leaders_school_id_schools')),
    sa.PrimaryKeyConstraint('circle_id', 'leader_id', name=op.f('pk_circle_leaders'))
    )
    with op.batch_alter_table('circle_leaders', schema=None) as batch_op:
        batch_op.create_index('ix_circle_leaders_school_leader', ['school_id', 'leader_id'], unique=False)

    op.create_table('circle_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('asked_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('placed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('agreed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('left_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("status IN ('asked', 'invited', 'waiting', 'member', 'declined', 'left')", name=op.f('ck_circle_members_status_known')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_circle_members_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id', 'circle_id'], ['circles.school_id', 'circles.id'], name='fk_circle_members_circle_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id', 'student_id'], ['users.school_id', 'users.id'], name='fk_circle_members_student_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_circle_members_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_members')),
    sa.UniqueConstraint('circle_id', 'student_id', name=op.f('uq_circle_members_circle_id_student_id')),
    sa.UniqueConstraint('school_id', 'id', name='uq_circle_members_school_id_id')
    )
    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.create_index('ix_circle_members_circle_status', ['circle_id', 'status'], unique=False)
        batch_op.create_index('ix_circle_members_school_student', ['school_id', 'student_id'], unique=False)

    op.create_table('group_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('circle_id', sa.Integer(), nullable=True),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('about', sa.Text(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=120), nullable=False),
    sa.Column('grade_min', sa.Integer(), nullable=True),
    sa.Column('grade_max', sa.Integer(), nullable=True),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('how_it_went', sa.String(length=20), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('logged_by_id', sa.Integer(), nullable=True),
    sa.Column('logged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("how_it_went IS NULL OR how_it_went IN ('well', 'mixed', 'hard')", name=op.f('ck_group_sessions_how_it_went_known')),
    sa.CheckConstraint("status IN ('scheduled', 'held', 'cancelled')", name=op.f('ck_group_sessions_status_known')),
    sa.CheckConstraint('circle_id IS NOT NULL OR (grade_min IS NOT NULL AND grade_max IS NOT NULL AND grade_min <= grade_max AND capacity BETWEEN 1 AND 500)', name=op.f('ck_group_sessions_workshop_says_who')),
    sa.CheckConstraint('minutes BETWEEN 10 AND 240', name=op.f('ck_group_sessions_minutes_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_group_sessions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['logged_by_id'], ['users.id'], name=op.f('fk_group_sessions_logged_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id', 'circle_id'], ['circles.school_id', 'circles.id'], name='fk_group_sessions_circle_same_school'),
    sa.ForeignKeyConstraint(['school_id', 'plan_id'], ['session_plans.school_id', 'session_plans.id'], name='fk_group_sessions_plan_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_group_sessions_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_sessions')),
    sa.UniqueConstraint('school_id', 'id', name='uq_group_sessions_school_id_id')
    )
    with op.batch_alter_table('group_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_group_sessions_circle_starts', ['circle_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_group_sessions_school_starts', ['school_id', 'starts_at'], unique=False)

    op.create_table('feedback_given',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id', 'session_id'], ['group_sessions.school_id', 'group_sessions.id'], name='fk_feedback_given_session_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id', 'student_id'], ['users.school_id', 'users.id'], name='fk_feedback_given_student_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_feedback_given_school_id_schools')),
    sa.PrimaryKeyConstraint('session_id', 'student_id', name=op.f('pk_feedback_given'))
    )
    op.create_table('mood_counts',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('mood', sa.Integer(), nullable=False),
    sa.Column('taps', sa.Integer(), nullable=False),
    sa.CheckConstraint('mood BETWEEN 1 AND 5', name=op.f('ck_mood_counts_mood_range')),
    sa.CheckConstraint('taps >= 0', name=op.f('ck_mood_counts_taps_positive')),
    sa.ForeignKeyConstraint(['school_id', 'session_id'], ['group_sessions.school_id', 'group_sessions.id'], name='fk_mood_counts_session_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_mood_counts_school_id_schools')),
    sa.PrimaryKeyConstraint('session_id', 'mood', name=op.f('pk_mood_counts'))
    )
    op.create_table('session_attendance',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('signed_up_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('present', sa.Boolean(), nullable=True),
    sa.Column('worried', sa.Boolean(), server_default=sa.text('(false)'), nullable=False),
    sa.ForeignKeyConstraint(['school_id', 'session_id'], ['group_sessions.school_id', 'group_sessions.id'], name='fk_session_attendance_session_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id', 'student_id'], ['users.school_id', 'users.id'], name='fk_session_attendance_student_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_session_attendance_school_id_schools')),
    sa.PrimaryKeyConstraint('session_id', 'student_id', name=op.f('pk_session_attendance'))
    )
    with op.batch_alter_table('session_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_session_attendance_school_student', ['school_id', 'student_id'], unique=False)

    op.create_table('feedback_counts',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('answer', sa.String(length=20), nullable=False),
    sa.Column('answers', sa.Integer(), nullable=False),
    sa.CheckConstraint("answer IN ('helped', 'not_sure', 'didnt_help')", name=op.f('ck_feedback_counts_answer_known')),
    sa.CheckConstraint('answers >= 0', name=op.f('ck_feedback_counts_answers_positive')),
    sa.ForeignKeyConstraint(['school_id', 'session_id'], ['group_sessions.school_id', 'group_sessions.id'], name='fk_feedback_counts_session_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_feedback_counts_school_id_schools')),
    sa.PrimaryKeyConstraint('session_id', 'answer', name=op.f('pk_feedback_counts'))
    )
    op.create_table('session_comments',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['school_id', 'session_id'], ['group_sessions.school_id', 'group_sessions.id'], name='fk_session_comments_session_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_session_comments_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_session_comments')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('session_comments', schema=None) as batch_op:
        batch_op.create_index('ix_session_comments_school_session', ['school_id', 'session_id'], unique=False)

    op.create_table('circle_report_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('year_start', sa.Date(), nullable=False),
    sa.Column('year_end', sa.Date(), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('year_start <= year_end', name=op.f('ck_circle_report_releases_year_order')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_circle_report_releases_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_circle_report_releases')),
    sa.UniqueConstraint('school_id', 'year_start', name=op.f('uq_circle_report_releases_school_id_year_start'))
    )

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_session_id', sa.Integer(), nullable=True))
        batch_op.alter_column('student_id',
               existing_type=sa.INTEGER(),
               nullable=True)
        batch_op.create_index(batch_op.f('ix_concerns_group_session_id'), ['group_session_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_concerns_group_session_id_group_sessions'), 'group_sessions', ['group_session_id'], ['id'])
        batch_op.create_check_constraint('about_someone', 'student_id IS NOT NULL OR group_session_id IS NOT NULL')

    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('circle_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_supervision_sessions_circle_id'), ['circle_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_supervision_sessions_circle_id_circles'), 'circles', ['circle_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('training_modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=20), server_default='mentoring', nullable=False))
        batch_op.create_check_constraint('purpose_known', "purpose IN ('mentoring', 'circle_leader')")



def downgrade():
    op.drop_table('circle_report_releases')
    with op.batch_alter_table('training_modules', schema=None) as batch_op:
        batch_op.drop_constraint('purpose_known', type_='check')
        batch_op.drop_column('purpose')

    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_supervision_sessions_circle_id_circles'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_supervision_sessions_circle_id'))
        batch_op.drop_column('circle_id')

    with op.batch_alter_table('concerns', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_concerns_group_session_id_group_sessions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_concerns_group_session_id'))
        batch_op.drop_constraint('about_someone', type_='check')
        batch_op.alter_column('student_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('group_session_id')

    with op.batch_alter_table('session_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_session_comments_school_session')

    op.drop_table('session_comments')
    op.drop_table('feedback_counts')
    with op.batch_alter_table('session_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_session_attendance_school_student')

    op.drop_table('session_attendance')
    op.drop_table('mood_counts')
    op.drop_table('feedback_given')
    with op.batch_alter_table('group_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_group_sessions_school_starts')
        batch_op.drop_index('ix_group_sessions_circle_starts')

    op.drop_table('group_sessions')
    with op.batch_alter_table('circle_members', schema=None) as batch_op:
        batch_op.drop_index('ix_circle_members_school_student')
        batch_op.drop_index('ix_circle_members_circle_status')

    op.drop_table('circle_members')
    with op.batch_alter_table('circle_leaders', schema=None) as batch_op:
        batch_op.drop_index('ix_circle_leaders_school_leader')

    op.drop_table('circle_leaders')
    with op.batch_alter_table('session_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_session_plans_school_active')

    op.drop_table('session_plans')
    with op.batch_alter_table('circles', schema=None) as batch_op:
        batch_op.drop_index('ix_circles_school_status')

    op.drop_table('circles')
