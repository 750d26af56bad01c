"""Steps counted in calendar days (公示、挂牌期、核查期限), the post-approval check actions, and files
uploaded with an application (not only for 补正).

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
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=32), nullable=False, server_default='supplement'))
        batch_op.alter_column('request_action_id', existing_type=sa.Integer(), nullable=True)
    if op.get_bind().dialect.name == "postgresql":  # native enum there; plain text on SQLite
        for value in CHECK_ACTIONS:
            op.execute(f"ALTER TYPE actionkind ADD VALUE IF NOT EXISTS '{value}'")


def downgrade() -> None:
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.alter_column('request_action_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('purpose')
    with op.batch_alter_table('step', schema=None) as batch_op:
        batch_op.drop_column('sla_unit')
