"""统一身份认证: an account may sign in through the park's OpenID Connect provider (issuer and subject).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.add_column(sa.Column('sso_subject', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True))
        batch.create_unique_constraint('uq_user_sso_subject', ['sso_subject'])


def downgrade() -> None:
    with op.batch_alter_table('user') as batch:
        batch.drop_constraint('uq_user_sso_subject', type_='unique')
        batch.drop_column('sso_subject')
