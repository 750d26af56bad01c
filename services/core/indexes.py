"""Indexes that are more than a column flag."""

from sqlalchemy import Index


def trigram_index(table: str, column: str) -> Index:
    """An index for finding rows by a fragment of ``column`` (案件查询): a pg_trgm GIN index on PostgreSQL, a
    plain one on SQLite (where the search scans; a park on SQLite is small)."""
    return Index(f"ix_{table}_{column}_trgm", column, postgresql_using="gin", postgresql_ops={column: "gin_trgm_ops"})
