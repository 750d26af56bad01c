"""Stuck work found by the repair sweep (系统异常); the task run each hand-over to Prefect queued.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('application') as batch:
        batch.add_column(sa.Column('dispatch_task_run_id', sqlmodel.sql.sqltypes.AutoString(length=64),
                                   nullable=True))
    op.create_table('system_fault',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('step_id', sa.Integer(), nullable=True),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('flow_run_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('replacement_run_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('found_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('repaired_at', sa.DateTime(), nullable=True),
    sa.Column('unrepairable', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['application.id'], ),
    sa.ForeignKeyConstraint(['step_id'], ['step.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_system_fault_application_id'), 'system_fault', ['application_id'], unique=False)
    op.create_index(op.f('ix_system_fault_found_at'), 'system_fault', ['found_at'], unique=False)
    op.create_index(op.f('ix_system_fault_repaired_at'), 'system_fault', ['repaired_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('application') as batch:
        batch.drop_column('dispatch_task_run_id')
    op.drop_index(op.f('ix_system_fault_repaired_at'), table_name='system_fault')
    op.drop_index(op.f('ix_system_fault_found_at'), table_name='system_fault')
    op.drop_index(op.f('ix_system_fault_application_id'), table_name='system_fault')
    op.drop_table('system_fault')
