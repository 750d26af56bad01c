"""标准地信息公开: each parcel's outline (GeoJSON geometry, WGS 84) for the public map.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06
"""
import sqlalchemy as sa
from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('parcel') as batch:
        batch.add_column(sa.Column('outline', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('parcel') as batch:
        batch.drop_column('outline')
