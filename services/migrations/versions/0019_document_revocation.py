"""作废: an issued document can be revoked by a supervisor with a reason; 文书查验 then says 已作废.

Two nullable columns on ``document``. They are not identity columns (migration 0009's guard), so the one
UPDATE that sets them is allowed; ``services.documents.revocation`` sets them once (guarded on
``revoked_at IS NULL``) and records who did it in the audit trail. Plain added columns, no foreign key, so
SQLite's batch mode alters the table in place and keeps its triggers.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('document') as batch:
        batch.add_column(sa.Column('revoked_at', sa.DateTime(), nullable=True))
        batch.add_column(sa.Column('revocation_reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('document') as batch:
        batch.drop_column('revocation_reason')
        batch.drop_column('revoked_at')
