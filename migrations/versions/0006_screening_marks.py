"""counselors' marks on screening

Revision ID: 0006_screening_marks
Revises: 0005_page_indexes
Create Date: 2026-11-23

Append-only marks on how screening did on a concern's check-in notes (right, not a concern, or
missed and what it should have been), with what screening said about the notes when marked.
The category is checked by the app, not here: the screener's categories may grow.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006_screening_marks'
down_revision = '0005_page_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('screening_marks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('concern_id', sa.Integer(), nullable=False),
    sa.Column('checkin_id', sa.Integer(), nullable=False),
    sa.Column('counselor_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.String(length=20), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=True),
    sa.Column('category', sa.String(length=40), nullable=True),
    sa.Column('screened_severity', sa.String(length=10), nullable=True),
    sa.Column('screened_categories', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("verdict IN ('right', 'not_a_concern', 'missed')", name=op.f('ck_screening_marks_verdict_known')),
    sa.CheckConstraint("severity IS NULL OR severity IN ('high', 'medium')", name=op.f('ck_screening_marks_severity_known')),
    sa.CheckConstraint("screened_severity IS NULL OR screened_severity IN ('high', 'medium', 'low')", name=op.f('ck_screening_marks_screened_severity_known')),
    sa.CheckConstraint("(verdict = 'missed' AND severity IS NOT NULL AND category IS NOT NULL) OR (verdict <> 'missed' AND severity IS NULL AND category IS NULL)", name=op.f('ck_screening_marks_missed_says_what')),
    sa.ForeignKeyConstraint(['checkin_id'], ['checkins.id'], name=op.f('fk_screening_marks_checkin_id_checkins')),
    sa.ForeignKeyConstraint(['concern_id'], ['concerns.id'], name=op.f('fk_screening_marks_concern_id_concerns')),
    sa.ForeignKeyConstraint(['counselor_id'], ['users.id'], name=op.f('fk_screening_marks_counselor_id_users')),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_screening_marks_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_marks'))
    )
    with op.batch_alter_table('screening_marks', schema=None) as batch_op:
        batch_op.create_index('ix_screening_marks_school_checkin', ['school_id', 'checkin_id'], unique=False)
        batch_op.create_index('ix_screening_marks_school_concern', ['school_id', 'concern_id'], unique=False)


def downgrade():
    with op.batch_alter_table('screening_marks', schema=None) as batch_op:
        batch_op.drop_index('ix_screening_marks_school_concern')
        batch_op.drop_index('ix_screening_marks_school_checkin')

    op.drop_table('screening_marks')
