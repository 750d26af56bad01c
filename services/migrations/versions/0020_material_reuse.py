"""材料库: an attachment handed in again from the enterprise's earlier uploads names the one it reuses.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07
"""
import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain column (no foreign key): SQLite adds it in place, the table and its triggers stay as they are
    op.add_column('attachment', sa.Column('reused_from_id', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('attachment') as batch:
        batch.drop_column('reused_from_id')
