"""programme: agreements and goals, goal progress, mentors' own well-being checks, supervision,
closures and exit surveys, the well-being questionnaire and each school year's published outcomes,
certificates (one per mentor and period); how often mentors should have supervision, when a mentor
was accepted, the school's last day of teaching, and how long each training module takes

Revision ID: 0016_programme
Revises: 0015_meetings_reminders
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_programme'
down_revision = '0015_meetings_reminders'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('checkin_minutes', sa.Integer(), nullable=False),
    sa.Column('training_minutes', sa.Integer(), nullable=False),
    sa.Column('supervision_minutes', sa.Integer(), nullable=False),
    sa.Column('citation', sa.String(length=300), nullable=False),
    sa.CheckConstraint('period_from <= period_to', name=op.f('ck_certificates_period_order')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_certificates_issued_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id', 'mentor_id'], ['users.school_id', 'users.id'], name='fk_certificates_mentor_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_certificates_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_certificates')),
    sa.UniqueConstraint('school_id', 'mentor_id', 'period_from', 'period_to', name=op.f('uq_certificates_school_id_mentor_id_period_from_period_to'))
    )
    op.create_table('supervision_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('held_on', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('group', 'one_to_one')", name=op.f('ck_supervision_sessions_kind_known')),
    sa.CheckConstraint('minutes BETWEEN 10 AND 240', name=op.f('ck_supervision_sessions_minutes_range')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_supervision_sessions_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_supervision_sessions_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervision_sessions')),
    sa.UniqueConstraint('school_id', 'id', name='uq_supervision_sessions_school_id_id')
    )
    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_sessions_school_held', ['school_id', 'held_on'], unique=False)

    op.create_table('supervision_attendance',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id', 'mentor_id'], ['users.school_id', 'users.id'], name='fk_supervision_attendance_mentor_same_school'),
    sa.ForeignKeyConstraint(['school_id', 'session_id'], ['supervision_sessions.school_id', 'supervision_sessions.id'], name='fk_supervision_attendance_session_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_supervision_attendance_school_id_schools')),
    sa.PrimaryKeyConstraint('session_id', 'mentor_id', name=op.f('pk_supervision_attendance'))
    )
    with op.batch_alter_table('supervision_attendance', schema=None) as batch_op:
        batch_op.create_index('ix_supervision_attendance_school_mentor', ['school_id', 'mentor_id'], unique=False)

    op.create_table('agreements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('how_often', sa.String(length=20), nullable=False),
    sa.Column('where', sa.String(length=200), nullable=False),
    sa.Column('ground_rules', sa.Text(), nullable=False),
    sa.Column('agreed_on', sa.Date(), nullable=False),
    sa.Column('mentor_agreed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mentee_agreed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("how_often IN ('weekly', 'fortnightly', 'monthly')", name=op.f('ck_agreements_how_often_known')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_agreements_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_agreements_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agreements')),
    sa.UniqueConstraint('school_id', 'mentorship_id', name=op.f('uq_agreements_school_id_mentorship_id'))
    )
    op.create_table('exit_surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('side', sa.String(length=10), nullable=False),
    sa.Column('respondent_id', sa.Integer(), nullable=False),
    sa.Column('got_on', sa.Integer(), nullable=False),
    sa.Column('helped', sa.Integer(), nullable=False),
    sa.Column('recommend', sa.String(length=10), nullable=False),
    sa.Column('what_helped', sa.JSON(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("recommend IN ('yes', 'not_sure', 'no')", name=op.f('ck_exit_surveys_recommend_known')),
    sa.CheckConstraint("side IN ('mentor', 'mentee')", name=op.f('ck_exit_surveys_side_known')),
    sa.CheckConstraint('got_on BETWEEN 1 AND 5', name=op.f('ck_exit_surveys_got_on_range')),
    sa.CheckConstraint('helped BETWEEN 1 AND 5', name=op.f('ck_exit_surveys_helped_range')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_exit_surveys_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['school_id', 'respondent_id'], ['users.school_id', 'users.id'], name='fk_exit_surveys_respondent_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_exit_surveys_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exit_surveys')),
    sa.UniqueConstraint('school_id', 'mentorship_id', 'side', name=op.f('uq_exit_surveys_school_id_mentorship_id_side'))
    )
    with op.batch_alter_table('exit_surveys', schema=None) as batch_op:
        batch_op.create_index('ix_exit_surveys_school_created', ['school_id', 'created_at'], unique=False)

    op.create_table('goals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('area', sa.String(length=20), nullable=False),
    sa.Column('wording', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("area IN ('friendships', 'school_work', 'confidence', 'feelings', 'settling_in', 'home', 'health', 'other')", name=op.f('ck_goals_area_known')),
    sa.CheckConstraint('position BETWEEN 1 AND 3', name=op.f('ck_goals_position_range')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_goals_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_goals_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_goals')),
    sa.UniqueConstraint('school_id', 'mentorship_id', 'position', name=op.f('uq_goals_school_id_mentorship_id_position'))
    )
    op.create_table('outcome_measures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=True),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('occasion', sa.String(length=10), nullable=False),
    sa.Column('scale', sa.String(length=20), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=True),
    sa.Column('answered_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("occasion IN ('start', 'end')", name=op.f('ck_outcome_measures_occasion_known')),
    sa.CheckConstraint('score BETWEEN 0 AND 100', name=op.f('ck_outcome_measures_score_range')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_outcome_measures_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['school_id', 'mentee_id'], ['users.school_id', 'users.id'], name='fk_outcome_measures_mentee_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_outcome_measures_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_measures')),
    sa.UniqueConstraint('school_id', 'mentorship_id', 'occasion', name=op.f('uq_outcome_measures_school_id_mentorship_id_occasion'))
    )
    with op.batch_alter_table('outcome_measures', schema=None) as batch_op:
        batch_op.create_index('ix_outcome_measures_school_answered', ['school_id', 'answered_on'], unique=False)

    op.create_table('closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('begun_by_id', sa.Integer(), nullable=True),
    sa.Column('begun_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closing_checkin_id', sa.Integer(), nullable=True),
    sa.Column('goodbye_message', sa.Text(), nullable=True),
    sa.Column('goodbye_written_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('goodbye_read_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('goodbye_withheld_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('goodbye_withheld_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['begun_by_id'], ['users.id'], name=op.f('fk_closures_begun_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['goodbye_withheld_by_id'], ['users.id'], name=op.f('fk_closures_goodbye_withheld_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['closing_checkin_id'], ['checkins.id'], name=op.f('fk_closures_closing_checkin_id_checkins'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_closures_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_closures_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closures')),
    sa.UniqueConstraint('school_id', 'mentorship_id', name=op.f('uq_closures_school_id_mentorship_id'))
    )
    op.create_table('goal_progress',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('goal_id', sa.Integer(), nullable=False),
    sa.Column('progress', sa.Integer(), nullable=False),
    sa.CheckConstraint('progress BETWEEN 1 AND 4', name=op.f('ck_goal_progress_progress_range')),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_goal_progress_checkin_id_checkins'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['goal_id'], ['goals.id'], name=op.f('fk_goal_progress_goal_id_goals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_goal_progress_school_id_schools')),
    sa.PrimaryKeyConstraint('checkin_id', 'goal_id', name=op.f('pk_goal_progress'))
    )
    with op.batch_alter_table('goal_progress', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_goal_progress_goal_id'), ['goal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_goal_progress_school_id'), ['school_id'], unique=False)

    op.create_table('mentor_feelings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=True),
    sa.Column('feeling', sa.String(length=20), nullable=False),
    sa.Column('wants_to_talk', sa.Boolean(), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('seen_by_id', sa.Integer(), nullable=True),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("feeling IN ('fine', 'bit_hard', 'hard')", name=op.f('ck_mentor_feelings_feeling_known')),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_mentor_feelings_checkin_id_checkins'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id', 'mentor_id'], ['users.school_id', 'users.id'], name='fk_mentor_feelings_mentor_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_mentor_feelings_school_id_schools')),
    sa.ForeignKeyConstraint(['seen_by_id'], ['users.id'], name=op.f('fk_mentor_feelings_seen_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mentor_feelings')),
    sa.UniqueConstraint('school_id', 'checkin_id', name=op.f('uq_mentor_feelings_school_id_checkin_id'))
    )
    with op.batch_alter_table('mentor_feelings', schema=None) as batch_op:
        batch_op.create_index('ix_mentor_feelings_school_seen_created', ['school_id', 'seen_at', 'created_at'], unique=False)

    op.create_table('outcome_releases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('year_start', sa.Date(), nullable=False),
    sa.Column('year_end', sa.Date(), nullable=False),
    sa.Column('k', sa.Integer(), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('year_start <= year_end', name=op.f('ck_outcome_releases_year_order')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_outcome_releases_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_releases')),
    sa.UniqueConstraint('school_id', 'year_start', name=op.f('uq_outcome_releases_school_id_year_start'))
    )
    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.add_column(sa.Column('supervision_every_days', sa.Integer(), server_default='42', nullable=False))
        batch_op.create_check_constraint('supervision_every_range', 'supervision_every_days BETWEEN 7 AND 365')
        batch_op.add_column(sa.Column('teaching_ends_month', sa.Integer(), server_default='7', nullable=False))
        batch_op.add_column(sa.Column('teaching_ends_day', sa.Integer(), server_default='15', nullable=False))
        batch_op.create_check_constraint(
            'teaching_ends_real_day',
            'teaching_ends_month BETWEEN 1 AND 12 AND teaching_ends_day >= 1 AND teaching_ends_day <= '
            'CASE WHEN teaching_ends_month = 2 THEN 28 WHEN teaching_ends_month IN (4, 6, 9, 11) THEN 30 ELSE 31 END')

    with op.batch_alter_table('mentor_profiles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('accepted_on', sa.Date(), nullable=True))

    with op.batch_alter_table('training_modules', schema=None) as batch_op:
        batch_op.add_column(sa.Column('minutes', sa.Integer(), server_default='60', nullable=False))



def downgrade():
    with op.batch_alter_table('training_modules', schema=None) as batch_op:
        batch_op.drop_column('minutes')

    with op.batch_alter_table('mentor_profiles', schema=None) as batch_op:
        batch_op.drop_column('accepted_on')

    with op.batch_alter_table('schools', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_schools_teaching_ends_real_day'), type_='check')
        batch_op.drop_column('teaching_ends_day')
        batch_op.drop_column('teaching_ends_month')
        batch_op.drop_constraint(op.f('ck_schools_supervision_every_range'), type_='check')
        batch_op.drop_column('supervision_every_days')

    with op.batch_alter_table('mentor_feelings', schema=None) as batch_op:
        batch_op.drop_index('ix_mentor_feelings_school_seen_created')

    op.drop_table('mentor_feelings')
    op.drop_table('outcome_releases')
    with op.batch_alter_table('goal_progress', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_goal_progress_school_id'))
        batch_op.drop_index(batch_op.f('ix_goal_progress_goal_id'))

    op.drop_table('goal_progress')
    op.drop_table('closures')
    with op.batch_alter_table('outcome_measures', schema=None) as batch_op:
        batch_op.drop_index('ix_outcome_measures_school_answered')

    op.drop_table('outcome_measures')
    op.drop_table('goals')
    with op.batch_alter_table('exit_surveys', schema=None) as batch_op:
        batch_op.drop_index('ix_exit_surveys_school_created')

    op.drop_table('exit_surveys')
    op.drop_table('agreements')
    with op.batch_alter_table('supervision_attendance', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_attendance_school_mentor')

    op.drop_table('supervision_attendance')
    with op.batch_alter_table('supervision_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_supervision_sessions_school_held')

    op.drop_table('supervision_sessions')
    op.drop_table('certificates')
