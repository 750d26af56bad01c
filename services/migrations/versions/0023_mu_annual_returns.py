"""亩均年度数据: each enterprise's yearly tax, output, energy and land, for the 亩均 evaluation.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'mu_annual_return',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uscc', sqlmodel.sql.sqltypes.AutoString(length=18), nullable=False),
        sa.Column('enterprise_name', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column('year', sa.Integer(), nullable=False),
        sa.Column('land_area_mu', sa.Numeric(precision=14, scale=4), nullable=False),
        sa.Column('tax_wan', sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column('output_wan', sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column('energy_tce', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('uscc', 'year', name='uq_mu_annual_return'),
    )
    op.create_index('ix_mu_annual_return_uscc', 'mu_annual_return', ['uscc'])
    op.create_index('ix_mu_annual_return_year', 'mu_annual_return', ['year'])


def downgrade() -> None:
    op.drop_index('ix_mu_annual_return_year', table_name='mu_annual_return')
    op.drop_index('ix_mu_annual_return_uscc', table_name='mu_annual_return')
    op.drop_table('mu_annual_return')
