"""Files kept in the database (``GC_FILE_STORE=database``), so every instance on every machine reads the same."""

from pydantic import NaiveDatetime
from sqlmodel import Field, SQLModel


class StoredFile(SQLModel, table=True):
    """One file of an area (documents, uploads) at the relative path the data folder would use.

    A path names one content for good (``services.core.file_store`` refuses other bytes), so the path alone
    is the key; ``sha256`` lets a write of the same file be recognised without reading the content.
    """

    __tablename__ = "stored_file"
    area: str = Field(primary_key=True, max_length=16, description="documents | uploads")
    path: str = Field(primary_key=True, max_length=255, description="relative, e.g. GC-2026-000123/<sha256>.pdf")
    content: bytes
    size: int
    sha256: str = Field(max_length=64)
    created_at: NaiveDatetime
