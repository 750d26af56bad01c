"""Document downloads, shared by pages and the API: visibility first, then the stored file."""

from pathlib import Path

from fastapi import HTTPException
from fastapi.responses import FileResponse

from services import visibility
from services.settings import get_settings


def document_response(session, user, document_id: int, fmt: str) -> FileResponse:
    """Shared by pages and the API: visibility first, then the stored file."""
    if fmt not in ("pdf", "docx"):
        raise HTTPException(status_code=404, detail="不支持的文件格式")
    document = visibility.get_readable_document(session, user, document_id)
    if document is None:
        raise HTTPException(status_code=404, detail="未找到该文书，或您无权查看")
    path = Path(get_settings().documents_dir) / (document.pdf_path if fmt == "pdf" else document.docx_path)
    media = "application/pdf" if fmt == "pdf" else \
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    return FileResponse(path, media_type=media, filename=f"{document.title}-{document.number}.{fmt}")
