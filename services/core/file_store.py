"""Where generated documents (文书 PDF/DOCX) and uploaded 补正 material are kept: ``GC_FILE_STORE``.

``local`` keeps them in the data folder, which only one machine can read. ``database`` keeps them in the
``stored_file`` table, which every web app and worker shares; it writes in the caller's session, so a
document's bytes commit or roll back together with its row. In both, a path names one content for good:
storing the same bytes again does nothing, other bytes are refused (``FileConflict``), never overwritten.
"""

import hashlib
import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import Literal, Protocol

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from services.core import clock
from services.core.file_models import StoredFile
from services.core.settings import get_settings

Area = Literal["documents", "uploads"]


class FileConflict(Exception):
    """Other bytes are already stored at this path."""


class FileStore(Protocol):
    def put(self, path: str, data: bytes) -> None: ...

    def get(self, path: str) -> bytes | None: ...


class LocalFileStore:
    """Files under one folder of the data folder (one machine)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, path: str, data: bytes) -> None:
        target = self._file(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=target.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
            os.link(temporary, target)  # whole or not at all, and never over an existing file
        except FileExistsError:
            if target.read_bytes() != data:
                raise FileConflict(path) from None
        finally:
            os.unlink(temporary)

    def get(self, path: str) -> bytes | None:
        try:
            return self._file(path).read_bytes()
        except FileNotFoundError:
            return None

    def _file(self, path: str) -> Path:
        parts = PurePosixPath(path).parts
        if not parts or parts[0] == "/" or ".." in parts:
            raise ValueError(f"not a relative path inside the store: {path!r}")
        return self.root.joinpath(*parts)


class DatabaseFileStore:
    """Rows of ``stored_file``, written in the caller's session (shared by every machine)."""

    def __init__(self, session: Session, area: Area) -> None:
        self.session, self.area = session, area

    def put(self, path: str, data: bytes) -> None:
        digest = hashlib.sha256(data).hexdigest()
        # ON CONFLICT DO NOTHING, not a savepoint: a concurrent insert of the path is waited for, not an
        # error, and on SQLite a savepoint taken before the transaction's first write would commit on release
        insert = postgresql_insert if self.session.get_bind().dialect.name == "postgresql" else sqlite_insert
        row = {"area": self.area, "path": path, "content": data, "size": len(data), "sha256": digest,
               "created_at": clock.now()}
        added = insert(StoredFile).values(row).on_conflict_do_nothing().returning(col(StoredFile.path))
        if self.session.exec(added).first() is None and self._sha256(path) != digest:
            raise FileConflict(path)

    def get(self, path: str) -> bytes | None:
        return self.session.exec(select(StoredFile.content).where(*self._key(path))).first()

    def _sha256(self, path: str) -> str | None:
        return self.session.exec(select(StoredFile.sha256).where(*self._key(path))).first()

    def _key(self, path: str):
        return col(StoredFile.area) == self.area, col(StoredFile.path) == path


def store(session: Session, area: Area) -> FileStore:
    """The configured store of ``area``; the local one keeps today's folders (``documents``, ``uploads``)."""
    settings = get_settings()
    if settings.file_store == "database":
        return DatabaseFileStore(session, area)
    return LocalFileStore(settings.documents_dir if area == "documents" else settings.data_dir / "uploads")
