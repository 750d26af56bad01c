"""履约核验计划: scheduled 对标验收 / 达产复核 / 整改复核 checks of approved 标准地 cases.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'compliance_check',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('checkpoint', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column('follows_id', sa.Integer(), nullable=True),
        sa.Column('verification_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('done_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['application.id']),
        sa.ForeignKeyConstraint(['follows_id'], ['verification_record.id']),
        sa.ForeignKeyConstraint(['verification_id'], ['verification_record.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('application_id', 'kind', 'due_on', name='uq_compliance_check'),
    )
    op.create_index('ix_compliance_check_application_id', 'compliance_check', ['application_id'])
    op.create_index('ix_compliance_check_due_on', 'compliance_check', ['due_on'])


def downgrade() -> None:
    op.drop_index('ix_compliance_check_due_on', table_name='compliance_check')
    op.drop_index('ix_compliance_check_application_id', table_name='compliance_check')
    op.drop_table('compliance_check')
