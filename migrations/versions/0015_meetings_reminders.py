"""meetings and reminders: a pair's next meeting, each reminder sent once, invitations attached to
outbox mail, and each person's choice of reminders by mail or not

Revision ID: 0015_meetings_reminders
Revises: 0014_resources
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0015_meetings_reminders'
down_revision = '0014_resources'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('reminders_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('ref', sa.String(length=60), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('checkin_due', 'meeting_tomorrow', 'self_checkin_due', 'counselor_digest')", name=op.f('ck_reminders_sent_kind_known')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_reminders_sent_school_id_schools')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_reminders_sent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reminders_sent')),
    sa.UniqueConstraint('school_id', 'user_id', 'kind', 'ref', name=op.f('uq_reminders_sent_school_id_user_id_kind_ref'))
    )
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminders_sent_user_id'), ['user_id'], unique=False)

    op.create_table('meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentorship_id', sa.Integer(), nullable=False),
    sa.Column('mentor_id', sa.Integer(), nullable=False),
    sa.Column('mentee_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('place', sa.String(length=200), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('cancelled_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('minutes BETWEEN 10 AND 120', name=op.f('ck_meetings_minutes_range')),
    sa.ForeignKeyConstraint(['mentorship_id'], ['mentorships.id'], name=op.f('fk_meetings_mentorship_id_mentorships')),
    sa.ForeignKeyConstraint(['school_id', 'mentee_id'], ['users.school_id', 'users.id'], name='fk_meetings_mentee_same_school'),
    sa.ForeignKeyConstraint(['school_id', 'mentor_id'], ['users.school_id', 'users.id'], name='fk_meetings_mentor_same_school'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_meetings_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meetings'))
    )
    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.create_index('ix_meetings_school_mentorship_starts', ['school_id', 'mentorship_id', 'starts_at'], unique=False)
        batch_op.create_index('ix_meetings_school_starts', ['school_id', 'starts_at'], unique=False)

    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.add_column(sa.Column('calendar', sa.Text(), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminders_by_mail', sa.Boolean(), server_default=sa.true(), nullable=False))



def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('reminders_by_mail')

    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_column('calendar')

    with op.batch_alter_table('meetings', schema=None) as batch_op:
        batch_op.drop_index('ix_meetings_school_starts')
        batch_op.drop_index('ix_meetings_school_mentorship_starts')

    op.drop_table('meetings')
    with op.batch_alter_table('reminders_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminders_sent_user_id'))

    op.drop_table('reminders_sent')
