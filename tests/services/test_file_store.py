"""The file store (``services.core.file_store``), both kinds, on the test database: a path names one content
for good, the database store writes in the caller's transaction, and a 文书 issued through the real service is
downloaded from the configured store — and refused with 409 once its stored bytes are altered."""

import hashlib
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi import HTTPException
from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from forms.downloads import document_response
from forms.routes.review import download_attachment
from services.cases import acceptance
from services.core import uploads
from services.core.db import get_engine
from services.core.file_store import DatabaseFileStore, FileConflict, LocalFileStore, store
from services.core.settings import get_settings
from services.core.users import get_by_username
from services.models import Document, StoredFile
from services.standard_land.intake import StandardLandApplicationInput, submit_application
from tests.samples import SAMPLE

KINDS = ["local", "database"]


@pytest.fixture(params=KINDS)
def files(request, tmp_path, session):
    """A store of each kind: a folder of its own, or ``stored_file`` in the test's rolled-back session."""
    return LocalFileStore(tmp_path) if request.param == "local" else DatabaseFileStore(session, "uploads")


def _copies(files, path: str) -> int:
    """How many times ``path`` is stored (for the folder: files, leftovers of a write included)."""
    if isinstance(files, LocalFileStore):
        return sum(1 for p in files.root.rglob("*") if p.is_file())
    stmt = select(func.count()).select_from(StoredFile).where(col(StoredFile.area) == files.area,
                                                             col(StoredFile.path) == path)
    return files.session.exec(stmt).one()


def test_what_is_put_is_got_back(files):
    files.put("GC-2026-000001/a.pdf", b"%PDF-1.4 one")
    assert files.get("GC-2026-000001/a.pdf") == b"%PDF-1.4 one"


def test_the_same_bytes_twice_are_stored_once(files):
    files.put("GC-2026-000001/a.pdf", b"%PDF-1.4 one")
    files.put("GC-2026-000001/a.pdf", b"%PDF-1.4 one")
    assert _copies(files, "GC-2026-000001/a.pdf") == 1


def test_other_bytes_at_a_stored_path_are_refused(files):
    files.put("GC-2026-000001/a.pdf", b"%PDF-1.4 one")
    with pytest.raises(FileConflict):
        files.put("GC-2026-000001/a.pdf", b"%PDF-1.4 two")
    assert files.get("GC-2026-000001/a.pdf") == b"%PDF-1.4 one"


def test_a_missing_file_is_none(files):
    assert files.get("GC-2026-000001/nothing.pdf") is None


def test_a_path_outside_the_folder_is_refused(tmp_path):
    with pytest.raises(ValueError):
        LocalFileStore(tmp_path / "uploads").put("../documents/x.pdf", b"x")


def test_the_database_store_commits_and_rolls_back_with_the_callers_transaction(migrated):
    path = f"test/{uuid.uuid4().hex}.pdf"
    with Session(get_engine()) as first:
        DatabaseFileStore(first, "uploads").put(path, b"%PDF-1.4 rolled back")
        first.rollback()
    with Session(get_engine()) as other:
        assert DatabaseFileStore(other, "uploads").get(path) is None
    with Session(get_engine()) as second:
        DatabaseFileStore(second, "uploads").put(path, b"%PDF-1.4 kept")
        second.commit()
    with Session(get_engine()) as other:
        assert DatabaseFileStore(other, "uploads").get(path) == b"%PDF-1.4 kept"
        with pytest.raises(FileConflict):  # the committed row decides, even for another transaction
            DatabaseFileStore(other, "uploads").put(path, b"%PDF-1.4 other")
        other.rollback()
        other.exec(delete(StoredFile).where(col(StoredFile.path) == path))
        other.commit()


def test_two_transactions_storing_the_same_file_at_once_store_it_once(migrated):
    """However they overlap (the second insert waits for the first commit), the same upload is one row."""
    path = f"test/{uuid.uuid4().hex}.pdf"
    with Session(get_engine()) as first, Session(get_engine()) as second, ThreadPoolExecutor(1) as pool:
        DatabaseFileStore(first, "uploads").put(path, b"%PDF-1.4 twice")
        waiting = pool.submit(DatabaseFileStore(second, "uploads").put, path, b"%PDF-1.4 twice")
        first.commit()
        waiting.result(timeout=60)
        second.commit()
    with Session(get_engine()) as other:
        assert _copies(DatabaseFileStore(other, "uploads"), path) == 1
        other.exec(delete(StoredFile).where(col(StoredFile.path) == path))
        other.commit()


# -- end to end: issue a 受理通知书, download it, alter it -----------------------------------------------

@pytest.fixture(params=KINDS)
def configured(request, monkeypatch):
    """``GC_FILE_STORE`` set for one test, as an operator sets it."""
    monkeypatch.setenv("GC_FILE_STORE", request.param)
    get_settings.cache_clear()
    yield request.param
    monkeypatch.undo()
    get_settings.cache_clear()


def _accepted(session):
    enterprise = get_by_username(session, "enterprise")
    data = StandardLandApplicationInput.model_validate(SAMPLE)
    application = submit_application(session, enterprise, data, uuid.uuid4().hex)[0]
    acceptance.check_completeness(session, application.id)
    return enterprise, application, session.get_one(Document, acceptance.accept(session, application.id))


def test_an_issued_document_is_served_from_the_configured_store_and_refused_once_altered(session, configured):
    enterprise, _, document = _accepted(session)
    on_disk = get_settings().documents_dir / document.pdf_path
    assert on_disk.exists() == (configured == "local")  # the database store keeps nothing in the data folder
    served = document_response(session, enterprise, document.id, "pdf")
    assert served.body.startswith(b"%PDF") and hashlib.sha256(served.body).hexdigest() == document.pdf_sha256
    assert store(session, "documents").get(document.pdf_path) == served.body

    altered = served.body.replace(b"%PDF", b"%PDF ", 1)
    if configured == "local":
        on_disk.write_bytes(altered)
    else:
        session.exec(update(StoredFile).where(col(StoredFile.area) == "documents",
                                              col(StoredFile.path) == document.pdf_path).values(content=altered))
    with pytest.raises(HTTPException) as refused:
        document_response(session, enterprise, document.id, "pdf")
    assert refused.value.status_code == 409
    docx = document_response(session, enterprise, document.id, "docx")  # the other file is intact
    assert hashlib.sha256(docx.body).hexdigest() == document.docx_sha256


def test_an_upload_is_served_from_the_configured_store(session, configured):
    enterprise, application, _ = _accepted(session)
    pdf = b"%PDF-1.4 " + uuid.uuid4().bytes
    attachment = uploads.save_application_file(session, enterprise, application, "eia_document", "报告表.pdf",
                                               "text/html", pdf)
    served = download_attachment(session, enterprise, attachment.id)
    assert served.body == pdf and served.media_type == "application/pdf"
    assert served.headers["content-disposition"] == "attachment; filename*=utf-8''%E6%8A%A5%E5%91%8A%E8%A1%A8.pdf"
    assert (get_settings().data_dir / "uploads" / attachment.path).exists() == (configured == "local")
