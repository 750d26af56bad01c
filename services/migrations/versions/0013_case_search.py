"""Finding cases (案件查询) among 100,000: fragments of case numbers, enterprise names and USCCs, project names
and parcel numbers through pg_trgm GIN indexes on PostgreSQL (plain indexes on SQLite); indexes for the
department, project and submission-date filters.

pg_trgm ships with PostgreSQL and is a trusted extension (13+): the database's owner may create it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TRIGRAMS = [("application", "case_no"), ("enterprise", "name"), ("enterprise", "uscc"), ("project", "name"),
            ("parcel", "number")]


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in TRIGRAMS:
        op.create_index(f"ix_{table}_{column}_trgm", table, [column], postgresql_using="gin",
                        postgresql_ops={column: "gin_trgm_ops"})
    op.create_index("ix_step_department", "step", ["department"])
    op.create_index("ix_application_project_id", "application", ["project_id"])
    op.create_index("ix_application_submitted_at", "application", ["submitted_at"])
    op.create_index("ix_project_chief_agent_id", "project", ["chief_agent_id"])


def downgrade() -> None:
    op.drop_index("ix_project_chief_agent_id", "project")
    op.drop_index("ix_application_submitted_at", "application")
    op.drop_index("ix_application_project_id", "application")
    op.drop_index("ix_step_department", "step")
    for table, column in reversed(TRIGRAMS):
        op.drop_index(f"ix_{table}_{column}_trgm", table)
