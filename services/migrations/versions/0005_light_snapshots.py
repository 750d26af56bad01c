"""Daily counts of open steps per department and light (the statistics page charts them).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('light_snapshot',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('department', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('light', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'department', 'light')
    )


def downgrade() -> None:
    op.drop_table('light_snapshot')
