"""Accounts managed in the application: administrators (系统管理员), initial passwords that must be changed at
the first sign-in, the confirmed e-mail of enterprises that registered themselves, and 动态口令 (TOTP).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('is_admin', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
        batch.add_column(sa.Column('email_confirmed_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('totp_secret', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.drop_column('totp_last_step')
        batch.drop_column('totp_secret')
        batch.drop_column('email_confirmed_at')
        batch.drop_column('must_change_password')
        batch.drop_column('is_admin')
