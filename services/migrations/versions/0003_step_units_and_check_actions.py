"""Steps counted in calendar days (公示、挂牌期、核查期限) and the post-approval check actions.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

CHECK_ACTIONS = ("check_pass", "check_rectify", "check_revoke")


def upgrade() -> None:
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_unit', sa.String(length=16), nullable=False, server_default='working_day'))
    if op.get_bind().dialect.name == "postgresql":  # native enum there; plain text on SQLite
        for value in CHECK_ACTIONS:
            op.execute(f"ALTER TYPE actionkind ADD VALUE IF NOT EXISTS '{value}'")


def downgrade() -> None:
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_column('sla_unit')
