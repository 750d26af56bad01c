"""Tamper evidence: the audit log becomes a hash chain and refuses TRUNCATE; issued documents keep their
identity (文号, 查验码, file hashes, kind, issue date …) and cannot be deleted.

- ``audit_event`` gets ``chain_seq`` / ``chain_hash`` (``services.core.audit``: sealed at commit). Rows already
  there are sealed here, in id order, with the same code the app uses (so this migration imports
  ``services.core.audit``). The UPDATE trigger now lets exactly that sealing through: chain columns from empty
  to set, content unchanged. PostgreSQL also refuses TRUNCATE (SQLite has none).
- ``document``: an UPDATE that changes an identity column, and any DELETE, are refused (TRUNCATE too on
  PostgreSQL). Nothing in the app changes a document after issuing it; a column added later (a status, say)
  stays updatable unless it is added to ``DOCUMENT_IDENTITY``.

A superuser can still disable triggers; the chain makes what they then change visible
(``services.core.audit.verify_chain``).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""
import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

AUDIT_CONTENT = ("id", "at", "actor_id", "actor_label", "on_behalf_of_enterprise_id", "action", "application_id",
                 "entity", "entity_id")  # and detail, compared as text
DOCUMENT_IDENTITY = ("application_id", "mandate_id", "step_key", "issue_key", "kind", "title", "number",
                     "verification_code", "issued_at", "pdf_path", "docx_path", "pdf_sha256", "docx_sha256")
# and context (JSON), compared as text

PG_AUDIT_GUARD = f"""CREATE FUNCTION audit_event_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL AND NEW.chain_seq IS NOT NULL
       AND ({", ".join(f"NEW.{c}" for c in AUDIT_CONTENT)}, NEW.detail::text)
           IS NOT DISTINCT FROM ({", ".join(f"OLD.{c}" for c in AUDIT_CONTENT)}, OLD.detail::text) THEN
        RETURN NEW;  -- sealing into the hash chain at commit
    END IF;
    RAISE EXCEPTION 'audit_event is append-only (% refused)', TG_OP;
END; $$ LANGUAGE plpgsql"""

PG_DOCUMENT_GUARD = f"""CREATE FUNCTION document_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND ({", ".join(f"NEW.{c}" for c in DOCUMENT_IDENTITY)}, NEW.context::text)
           IS NOT DISTINCT FROM ({", ".join(f"OLD.{c}" for c in DOCUMENT_IDENTITY)}, OLD.context::text) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'document: an issued document cannot be changed or deleted (% refused)', TG_OP;
END; $$ LANGUAGE plpgsql"""

SQLITE_AUDIT_SEAL_ONLY = f"""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
    WHEN NOT (OLD.chain_hash IS NULL AND NEW.chain_hash IS NOT NULL AND NEW.chain_seq IS NOT NULL
              AND {" AND ".join(f"NEW.{c} IS OLD.{c}" for c in (*AUDIT_CONTENT, "detail"))})
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"""

SQLITE_DOCUMENT_IDENTITY = f"""CREATE TRIGGER document_identity_fixed
    BEFORE UPDATE OF {", ".join((*DOCUMENT_IDENTITY, "context"))} ON document
    WHEN {" OR ".join(f"NEW.{c} IS NOT OLD.{c}" for c in (*DOCUMENT_IDENTITY, "context"))}
    BEGIN SELECT RAISE(ABORT, 'document: an issued document cannot be changed'); END"""


def upgrade() -> None:
    op.add_column('audit_event', sa.Column('chain_seq', sa.Integer(), nullable=True))
    op.add_column('audit_event', sa.Column('chain_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_index('ix_audit_event_chain_seq', 'audit_event', ['chain_seq'], unique=True)
    op.create_index('ix_audit_event_unsealed', 'audit_event', ['id'], unique=False,
                    postgresql_where=sa.text('chain_hash IS NULL'), sqlite_where=sa.text('chain_hash IS NULL'))
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    from services.core.audit import seal_pending  # the app's own canonical form, so old and new links agree

    seal_pending(op.get_bind())
    if postgres:
        op.execute(PG_AUDIT_GUARD)
        op.execute("""CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
            FOR EACH ROW EXECUTE FUNCTION audit_event_guard()""")
        op.execute("""CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
            FOR EACH STATEMENT EXECUTE FUNCTION audit_event_guard()""")
        op.execute(PG_DOCUMENT_GUARD)
        op.execute("""CREATE TRIGGER document_no_change BEFORE UPDATE OR DELETE ON document
            FOR EACH ROW EXECUTE FUNCTION document_guard()""")
        op.execute("""CREATE TRIGGER document_no_truncate BEFORE TRUNCATE ON document
            FOR EACH STATEMENT EXECUTE FUNCTION document_guard()""")
    else:
        op.execute(SQLITE_AUDIT_SEAL_ONLY)
        op.execute(SQLITE_DOCUMENT_IDENTITY)
        op.execute("""CREATE TRIGGER document_no_delete BEFORE DELETE ON document
            BEGIN SELECT RAISE(ABORT, 'document: an issued document cannot be deleted'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, table in (("audit_event_no_change", "audit_event"), ("audit_event_no_truncate", "audit_event"),
                            ("document_no_change", "document"), ("document_no_truncate", "document")):
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS audit_event_guard()")
        op.execute("DROP FUNCTION IF EXISTS document_guard()")
        op.execute("""CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event
            FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""")
    else:
        for name in ("audit_event_no_update", "document_identity_fixed", "document_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("""CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event
            BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END""")
    op.drop_index('ix_audit_event_unsealed', table_name='audit_event')
    op.drop_index('ix_audit_event_chain_seq', table_name='audit_event')
    op.drop_column('audit_event', 'chain_hash')
    op.drop_column('audit_event', 'chain_seq')
