"""督办书面回复: the department's reply to a 督办通知 and the supervisor's verdict on it; the reply date
already escalated as overdue.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('escalation') as batch:
        batch.add_column(sa.Column('reply_overdue_for', sa.Date(), nullable=True))
    op.create_table(
        'escalation_reply',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('escalation_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('measures', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('promised_on', sa.Date(), nullable=False),
        sa.Column('filed_by_id', sa.Integer(), nullable=False),
        sa.Column('filed_at', sa.DateTime(), nullable=False),
        sa.Column('verdict', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('verdict_reason', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['application.id']),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id']),
        sa.ForeignKeyConstraint(['escalation_id'], ['escalation.id']),
        sa.ForeignKeyConstraint(['filed_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('escalation_id', 'round', name='uq_escalation_reply_round'),
    )
    op.create_index('ix_escalation_reply_escalation_id', 'escalation_reply', ['escalation_id'])
    op.create_index('ix_escalation_reply_application_id', 'escalation_reply', ['application_id'])
    op.create_index('ix_escalation_reply_verdict', 'escalation_reply', ['verdict'])


def downgrade() -> None:
    op.drop_index('ix_escalation_reply_verdict', 'escalation_reply')
    op.drop_index('ix_escalation_reply_application_id', 'escalation_reply')
    op.drop_index('ix_escalation_reply_escalation_id', 'escalation_reply')
    op.drop_table('escalation_reply')
    with op.batch_alter_table('escalation') as batch:
        batch.drop_column('reply_overdue_for')
