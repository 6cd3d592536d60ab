"""resources: the coping-strategies library counselors curate, and the topics each resource suits

Revision ID: 0014_resources
Revises: 0013_self_checkins
Create Date: 2026-12-04
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0014_resources'
down_revision = '0013_self_checkins'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('resources',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('grade_min', sa.Integer(), nullable=True),
    sa.Column('grade_max', sa.Integer(), nullable=True),
    sa.Column('link', sa.String(length=500), nullable=True),
    sa.Column('service_name', sa.String(length=200), nullable=True),
    sa.Column('service_contact', sa.String(length=300), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('review_on', sa.Date(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('grade_min IS NULL OR grade_max IS NULL OR grade_min <= grade_max', name=op.f('ck_resources_grade_range')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_resources_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_resources_school_id_schools')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_resources')),
    sa.UniqueConstraint('school_id', 'id', name='uq_resources_school_id_id'),
    sa.UniqueConstraint('school_id', 'title', name=op.f('uq_resources_school_id_title'))
    )
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.create_index('ix_resources_school_active', ['school_id', 'active'], unique=False)

    op.create_table('resource_topics',
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('resource_id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id', 'resource_id'], ['resources.school_id', 'resources.id'], name='fk_resource_topics_resource_same_school', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_resource_topics_school_id_schools')),
    sa.ForeignKeyConstraint(['topic_id'], ['topics.id'], name=op.f('fk_resource_topics_topic_id_topics'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('resource_id', 'topic_id', name=op.f('pk_resource_topics'))
    )
    with op.batch_alter_table('resource_topics', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_resource_topics_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_resource_topics_topic_id'), ['topic_id'], unique=False)



def downgrade():
    with op.batch_alter_table('resource_topics', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_resource_topics_topic_id'))
        batch_op.drop_index(batch_op.f('ix_resource_topics_school_id'))

    op.drop_table('resource_topics')
    with op.batch_alter_table('resources', schema=None) as batch_op:
        batch_op.drop_index('ix_resources_school_active')

    op.drop_table('resources')
