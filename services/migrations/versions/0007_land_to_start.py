"""拿地即开工: case states after the certificates (四证已核发 / 已开工) and for a lost listing (未竞得), and
the catalogue item that lets an agent run the whole 拿地即开工 case for an enterprise.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-27
"""
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

STATUSES = ("permitted", "started", "lost")


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for value in STATUSES:
            op.execute(f"ALTER TYPE applicationstatus ADD VALUE IF NOT EXISTS '{value}'")
    item = sa.table('agency_item', sa.column('code'), sa.column('name'), sa.column('stage'),
                    sa.column('department'), sa.column('limit_text'), sa.column('mode'),
                    sa.column('processes', sa.JSON()), sa.column('position'), sa.column('active'),
                    sa.column('updated_at'))
    op.bulk_insert(item, [{
        "code": "DB00", "name": "拿地即开工“一件事”全流程代办", "stage": "全流程", "department": "各审批部门",
        "limit_text": "从签订出让合同到四证核发0个工作日", "mode": "full", "processes": ["land_to_start"],
        "position": 0, "active": True, "updated_at": datetime(2026, 11, 27)}])


def downgrade() -> None:
    op.execute("DELETE FROM agency_item WHERE code = 'DB00'")
    # PostgreSQL cannot drop enum values; rows using them must be changed first
    op.execute("UPDATE application SET status = 'rejected' WHERE status IN ('permitted', 'started', 'lost')")
