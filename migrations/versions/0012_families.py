"""families: guardians as contacts of every source (the roster's guardians move in), their links to
students, the school's consent policy, families' consent answers and consent requests; the outbox;
students' birth dates and when an account was deactivated

Revision ID: 0012_families
Revises: 0011_checkins_school_id
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_families'
down_revision = '0011_checkins_school_id'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('birth_date', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('deactivated_at', sa.DateTime(timezone=True), nullable=True))
    op.create_table('guardians',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('roster_id', sa.String(length=100), nullable=True),
    sa.Column('relationship_kind', sa.String(length=20), nullable=False),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('phone', sa.String(length=50), nullable=True),
    sa.Column('student_roster_ids', sa.JSON(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('roster', 'staff')", name=op.f('ck_guardians_source_known')),
    sa.CheckConstraint("source = 'staff' OR roster_id IS NOT NULL", name=op.f('ck_guardians_roster_has_id')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_guardians_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_guardians')),
    sa.UniqueConstraint('school_id', 'id', name='uq_guardians_school_id_id'),
    sa.UniqueConstraint('school_id', 'roster_id', name=op.f('uq_guardians_school_id_roster_id'))
    )
    with op.batch_alter_table('guardians', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guardians_school_id'), ['school_id'], unique=False)
    op.create_table('guardian_students',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id', 'guardian_id'], ['guardians.school_id', 'guardians.id'],
                            name='fk_guardian_students_guardian_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id', 'student_id'], ['users.school_id', 'users.id'],
                            name='fk_guardian_students_student_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_guardian_students_school_id_schools')),
    sa.PrimaryKeyConstraint('guardian_id', 'student_id', name=op.f('pk_guardian_students'))
    )
    with op.batch_alter_table('guardian_students', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_guardian_students_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_guardian_students_student_id'), ['student_id'], unique=False)
    op.create_table('consent_policies',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('mentee_rule', sa.String(length=20), nullable=False),
    sa.Column('mentor_rule', sa.String(length=20), nullable=False),
    sa.Column('younger_rule', sa.String(length=20), nullable=False),
    sa.Column('programme_text', sa.Text(), nullable=False),
    sa.Column('family_contact', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    *(sa.CheckConstraint(f"{column} IN ('not_required', 'opt_out', 'opt_in')",
                         name=op.f(f'ck_consent_policies_{column}_known'))
      for column in ('mentee_rule', 'mentor_rule', 'younger_rule')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_consent_policies_school_id_schools')),
    sa.PrimaryKeyConstraint('school_id', name=op.f('pk_consent_policies'))
    )
    op.create_table('consent_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=True),
    sa.Column('guardian_name', sa.String(length=201), nullable=False),
    sa.Column('decision', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('given', 'declined', 'withdrawn')", name=op.f('ck_consent_events_decision_known')),
    sa.CheckConstraint("channel IN ('paper', 'phone', 'in_person', 'link')", name=op.f('ck_consent_events_channel_known')),
    sa.ForeignKeyConstraint(['guardian_id'], ['guardians.id'], name=op.f('fk_consent_events_guardian_id_guardians'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consent_events_recorded_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id', 'student_id'], ['users.school_id', 'users.id'],
                            name='fk_consent_events_student_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_consent_events_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_events'))
    )
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.create_index('ix_consent_events_school_student', ['school_id', 'student_id', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_events_school_id'), ['school_id'], unique=False)
    op.create_table('outbox_mails',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('to_address', sa.String(length=254), nullable=True),
    sa.Column('subject', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'no_address', 'failed')",
                       name=op.f('ck_outbox_mails_status_known')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_outbox_mails_school_id_schools')),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_outbox_mails_student_id_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_mails'))
    )
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_mails_status_id', ['status', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_mails_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_mails_student_id'), ['student_id'], unique=False)
    op.create_table('consent_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('guardian_id', sa.Integer(), nullable=False),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reminders', sa.Integer(), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('mail_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_consent_requests_created_by_id_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['mail_id'], ['outbox_mails.id'], name=op.f('fk_consent_requests_mail_id_outbox_mails'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id', 'guardian_id'], ['guardians.school_id', 'guardians.id'],
                            name='fk_consent_requests_guardian_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id', 'student_id'], ['users.school_id', 'users.id'],
                            name='fk_consent_requests_student_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_consent_requests_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consent_requests')),
    sa.UniqueConstraint('guardian_id', 'student_id', name=op.f('uq_consent_requests_guardian_id_student_id'))
    )
    with op.batch_alter_table('consent_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_requests_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consent_requests_student_id'), ['student_id'], unique=False)
    _move_roster_guardians()
    with op.batch_alter_table('roster_guardians', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_roster_guardians_school_id'))
    op.drop_table('roster_guardians')


def _move_roster_guardians():
    """Each guardian the roster stored, with links to the school's students it names by roster id."""
    bind = op.get_bind()
    meta = sa.MetaData()
    old = sa.Table('roster_guardians', meta, autoload_with=bind)
    new = sa.Table('guardians', meta, autoload_with=bind)
    links = sa.Table('guardian_students', meta, autoload_with=bind)
    users = sa.Table('users', meta, autoload_with=bind)
    for row in bind.execute(sa.select(old)).mappings().all():
        bind.execute(new.insert().values(
            id=row['id'], school_id=row['school_id'], source='roster', roster_id=row['roster_id'],
            relationship_kind=row['relationship_kind'], given_name=row['given_name'],
            family_name=row['family_name'], email=row['email'], phone=row['phone'],
            student_roster_ids=row['student_roster_ids'], updated_at=row['updated_at']))
        roster_ids = list(row['student_roster_ids'] or [])
        if roster_ids:
            students = bind.execute(sa.select(users.c.id).where(
                users.c.school_id == row['school_id'], users.c.role == 'student',
                users.c.roster_id.in_(roster_ids))).scalars().all()
            for student_id in students:
                bind.execute(links.insert().values(school_id=row['school_id'], guardian_id=row['id'],
                                                   student_id=student_id))
    if bind.dialect.name == 'postgresql':  # ids were copied: the new sequence goes on after them
        bind.execute(sa.text("SELECT setval(pg_get_serial_sequence('guardians', 'id'), "
                             "COALESCE((SELECT MAX(id) FROM guardians), 0) + 1, false)"))


def downgrade():
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
    # Only the school information system's guardians existed before: downgrading loses the contacts
    # staff typed, every consent answer and request, the policies and the outbox.
    op.execute("INSERT INTO roster_guardians (id, school_id, roster_id, relationship_kind, given_name, family_name, "
               "email, phone, student_roster_ids, updated_at) SELECT id, school_id, roster_id, relationship_kind, "
               "given_name, family_name, email, phone, student_roster_ids, updated_at FROM guardians "
               "WHERE source = 'roster'")
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("SELECT setval(pg_get_serial_sequence('roster_guardians', 'id'), "
                   "COALESCE((SELECT MAX(id) FROM roster_guardians), 0) + 1, false)")
    with op.batch_alter_table('consent_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_requests_student_id'))
        batch_op.drop_index(batch_op.f('ix_consent_requests_school_id'))
    op.drop_table('consent_requests')
    with op.batch_alter_table('outbox_mails', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_mails_student_id'))
        batch_op.drop_index(batch_op.f('ix_outbox_mails_school_id'))
        batch_op.drop_index('ix_outbox_mails_status_id')
    op.drop_table('outbox_mails')
    with op.batch_alter_table('consent_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_events_school_id'))
        batch_op.drop_index('ix_consent_events_school_student')
    op.drop_table('consent_events')
    op.drop_table('consent_policies')
    with op.batch_alter_table('guardian_students', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guardian_students_student_id'))
        batch_op.drop_index(batch_op.f('ix_guardian_students_school_id'))
    op.drop_table('guardian_students')
    with op.batch_alter_table('guardians', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_guardians_school_id'))
    op.drop_table('guardians')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('deactivated_at')
        batch_op.drop_column('birth_date')
