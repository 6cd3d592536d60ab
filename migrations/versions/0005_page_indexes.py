"""indexes for the pages' filters and joins

Revision ID: 0005_page_indexes
Revises: 0004_security_privacy
Create Date: 2026-11-22

Every list a page shows filters on the school first; these cover what the earlier indexes did
not: a mentor's mentees and a student's timeline, the request of a mentorship, concerns of a
check-in, reports over a date range and their topics, and the audit log's filters.
"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0005_page_indexes'
down_revision = '0004_security_privacy'
branch_labels = None
depends_on = None

INDEXES = {
    'mentorships': [
        ('ix_mentorships_school_mentor_status', ['school_id', 'mentor_id', 'status']),
        ('ix_mentorships_school_mentee', ['school_id', 'mentee_id']),
    ],
    'checkins': [
        ('ix_checkins_school_occurred', ['school_id', 'occurred_on']),
    ],
    'mentor_requests': [
        ('ix_mentor_requests_school_student', ['school_id', 'student_id']),
        ('ix_mentor_requests_school_mentorship', ['school_id', 'mentorship_id']),
    ],
    'concerns': [
        ('ix_concerns_school_checkin', ['school_id', 'checkin_id']),
        ('ix_concerns_school_created', ['school_id', 'created_at']),
    ],
    'audit_events': [
        ('ix_audit_events_school_action_at', ['school_id', 'action', 'at']),
        ('ix_audit_events_school_record_type_at', ['school_id', 'record_type', 'at']),
        ('ix_audit_events_school_actor_at', ['school_id', 'actor_id', 'at']),
    ],
}


def upgrade():
    for table, indexes in INDEXES.items():
        for name, columns in indexes:
            op.create_index(name, table, columns, unique=False)
    # Reports aggregate a school's topic links per check-in straight from this index (PostgreSQL
    # keeps topic_id in its leaves; SQLite indexes the two key columns only).
    op.create_index('ix_checkin_topics_school_checkin', 'checkin_topics', ['school_id', 'checkin_id'],
                    unique=False, postgresql_include=['topic_id'])


def downgrade():
    op.drop_index('ix_checkin_topics_school_checkin', table_name='checkin_topics')
    for table, indexes in reversed(INDEXES.items()):
        for name, _columns in reversed(indexes):
            op.drop_index(name, table_name=table)
