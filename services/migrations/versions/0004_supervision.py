"""Supervision (亮灯督办): step lights, escalations (unique per step and level), notifications (unique
per user and key), and an e-mail address per user.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('evaluation', schema=None) as batch_op:  # both configuration versions fit
        batch_op.alter_column('rules_version', existing_type=sa.String(length=32), type_=sa.String(length=64),
                              existing_nullable=False)
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=False),
    sa.Column('link', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('dedupe_key', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('read_at', sa.DateTime(), nullable=True),
    sa.Column('email_sent_at', sa.DateTime(), nullable=True),
    sa.Column('email_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('user_id', 'dedupe_key', name='uq_notification_once')
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_user_id'), ['user_id'], unique=False)

    op.create_table('escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=False),
    sa.Column('issued_on', sa.Date(), nullable=False),
    sa.Column('reply_due_on', sa.Date(), nullable=True),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('step_id', 'level', name='uq_escalation_level')
    )
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_escalation_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_escalation_step_id'), ['step_id'], unique=False)

    op.create_table('step_light',
    sa.Column('step_id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('light', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('remaining_working_days', sa.Integer(), nullable=True),
    sa.Column('limit_working_days', sa.Integer(), nullable=False),
    sa.Column('computed_on', sa.Date(), nullable=False),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('yellow_since', sa.Date(), nullable=True),
    sa.Column('red_since', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], ),
    sa.PrimaryKeyConstraint('step_id')
    )
    with op.batch_alter_table('step_light', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_step_light_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_step_light_department'), ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_step_light_light'), ['light'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('evaluation', schema=None) as batch_op:
        batch_op.alter_column('rules_version', existing_type=sa.String(length=64), type_=sa.String(length=32),
                              existing_nullable=False)
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('email')

    with op.batch_alter_table('step_light', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_step_light_light'))
        batch_op.drop_index(batch_op.f('ix_step_light_department'))
        batch_op.drop_index(batch_op.f('ix_step_light_application_id'))

    op.drop_table('step_light')
    with op.batch_alter_table('escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_escalation_step_id'))
        batch_op.drop_index(batch_op.f('ix_escalation_application_id'))

    op.drop_table('escalation')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_user_id'))
        batch_op.drop_index(batch_op.f('ix_notification_created_at'))
        batch_op.drop_index(batch_op.f('ix_notification_application_id'))

    op.drop_table('notification')
