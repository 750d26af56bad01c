"""带设计方案出让: the 设计方案 versions of a 拿地即开工 case (their files are attachments with purpose
design_scheme, item_index = version) and which version each 设计方案预审 decision was made on.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'design_scheme',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('digest', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column('file_count', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=False),
        sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['application.id']),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('application_id', 'version', name='uq_design_scheme_version'),
        sa.UniqueConstraint('application_id', 'idempotency_key', name='uq_design_scheme_idem'),
    )
    op.create_index('ix_design_scheme_application_id', 'design_scheme', ['application_id'])
    op.create_table(
        'design_scheme_decision',
        sa.Column('action_id', sa.Integer(), nullable=False),
        sa.Column('design_scheme_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['action_id'], ['step_action.id']),
        sa.ForeignKeyConstraint(['design_scheme_id'], ['design_scheme.id']),
        sa.PrimaryKeyConstraint('action_id'),
    )
    op.create_index('ix_design_scheme_decision_design_scheme_id', 'design_scheme_decision', ['design_scheme_id'])


def downgrade() -> None:
    op.drop_index('ix_design_scheme_decision_design_scheme_id', 'design_scheme_decision')
    op.drop_table('design_scheme_decision')
    op.drop_index('ix_design_scheme_application_id', 'design_scheme')
    op.drop_table('design_scheme')
