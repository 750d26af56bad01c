"""What an uploaded file really is, judged by its bytes — never by the browser's content type.

A file is accepted only when its name's extension and its content agree: ``%PDF-`` for a PDF, the
PNG and JPEG signatures, the OLE2 header for legacy Word / Excel, and for the ZIP-based formats
(DOCX, XLSX, OFD, plain ZIP) a readable archive with the parts that format requires, whose entries
really expand to no more than ``max_expanded`` bytes in total (checked by decompressing, not by
trusting the sizes the archive declares), and — in a plain ZIP — no programs.

The kind found here decides the content type the file is served with later.
This module must not write files or extract archives to disk.
"""

import copy
import io
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath

from services.core.errors import DomainError


@dataclass(frozen=True)
class FileKind:
    key: str
    label: str  # as a person names it: "PDF", "Word（DOCX）"
    media_type: str  # what we serve it as
    suffixes: tuple[str, ...]


KINDS = (
    FileKind("pdf", "PDF", "application/pdf", (".pdf",)),
    FileKind("ofd", "OFD", "application/ofd", (".ofd",)),
    FileKind("jpeg", "JPG 图片", "image/jpeg", (".jpg", ".jpeg")),
    FileKind("png", "PNG 图片", "image/png", (".png",)),
    FileKind("doc", "Word（DOC）", "application/msword", (".doc",)),
    FileKind("docx", "Word（DOCX）",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    FileKind("xls", "Excel（XLS）", "application/vnd.ms-excel", (".xls",)),
    FileKind("xlsx", "Excel（XLSX）", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    FileKind("zip", "ZIP 压缩包", "application/zip", (".zip",)),
)
BY_SUFFIX = {suffix: kind for kind in KINDS for suffix in kind.suffixes}
SUPPORTED = "PDF、OFD、图片（JPG/PNG）、Word、Excel 或 ZIP 文件"
MAX_ENTRIES = 2000
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PROGRAM_SIGNATURES = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"\xce\xfa\xed\xfe", b"#!")
PROGRAM_SUFFIXES = {".exe", ".dll", ".com", ".scr", ".msi", ".bat", ".cmd", ".ps1", ".vbs", ".vbe", ".js",
                    ".jse", ".wsf", ".hta", ".lnk", ".jar", ".sh", ".apk", ".app"}
# parts each ZIP-based format must have (one of the names in each group)
REQUIRED_PARTS = {"docx": ("[Content_Types].xml", "word/document.xml"),
                  "xlsx": ("[Content_Types].xml", "xl/workbook.xml"),
                  "ofd": ("OFD.xml",)}


class FileRejected(DomainError):
    """The file is not what it claims to be, or not a kind we take; ``message`` is for the applicant."""

    def __init__(self, message: str):
        super().__init__(message)


def kind_of_name(name: str) -> FileKind | None:
    return BY_SUFFIX.get(PurePosixPath(name).suffix.lower())


def identify(name: str, data: bytes, *, max_expanded: int) -> FileKind:
    """The kind of ``data`` if it matches the extension of ``name``; otherwise ``FileRejected`` naming the file."""
    kind = kind_of_name(name)
    if kind is None:
        raise FileRejected(f"“{name}”的格式不支持，请上传{SUPPORTED}")
    wrong = FileRejected(f"“{name}”的内容不是{kind.label}文件（扩展名与文件内容不符），请上传真实的{kind.label}文件")
    if kind.key == "pdf" and not data.startswith(b"%PDF-"):
        raise wrong
    if kind.key == "png" and not data.startswith(b"\x89PNG\r\n\x1a\n"):
        raise wrong
    if kind.key == "jpeg" and not data.startswith(b"\xff\xd8\xff"):
        raise wrong
    if kind.key in ("doc", "xls") and not data.startswith(OLE2):
        raise wrong
    if kind.key in ("docx", "xlsx", "ofd", "zip"):
        if not data.startswith(b"PK\x03\x04"):
            raise wrong
        names = _checked_archive(name, data, max_expanded, programs_allowed=kind.key != "zip")
        if any(part not in names for part in REQUIRED_PARTS.get(kind.key, ())):
            raise wrong
    return kind


def _checked_archive(name: str, data: bytes, max_expanded: int, *, programs_allowed: bool) -> set[str]:
    """Entry names of a ZIP that is readable, not encrypted, small when expanded and (if asked) without programs."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        entries = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise FileRejected(f"“{name}”已损坏，无法读取，请重新生成后上传") from None
    if len(entries) > MAX_ENTRIES:
        raise FileRejected(f"“{name}”包含的文件过多（超过{MAX_ENTRIES}个），请拆分后上传")
    too_big = FileRejected(f"“{name}”解压后超过{max_expanded // (1024 * 1024)}MB，疑似压缩炸弹，未予接收")
    if sum(info.file_size for info in entries) > max_expanded:
        raise too_big
    budget = max_expanded
    for info in entries:
        if info.flag_bits & 0x1:
            raise FileRejected(f"“{name}”已加密，请上传未加密的文件")
        if not programs_allowed and PurePosixPath(info.filename).suffix.lower() in PROGRAM_SUFFIXES:
            raise FileRejected(f"“{name}”中含有可执行程序（{info.filename}），未予接收")
        budget = _expand(archive, info, budget, name, too_big, programs_allowed)
    return {info.filename for info in entries}


def _expand(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int, name: str, too_big: FileRejected,
            programs_allowed: bool) -> int:
    """Decompress one entry and return the budget left. A lying size field cannot make it expand further:
    the entry is read as if it declared one byte more than the budget, and must end at its declared size."""
    probe = copy.copy(info)
    probe.file_size = budget + 1
    expanded = 0
    try:
        with archive.open(probe) as entry:
            while chunk := entry.read(1024 * 1024):
                if expanded == 0 and not programs_allowed and chunk.startswith(PROGRAM_SIGNATURES):
                    raise FileRejected(f"“{name}”中含有可执行程序（{info.filename}），未予接收")
                expanded += len(chunk)
                if expanded > budget:
                    raise too_big
    except FileRejected:
        raise
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, EOFError, OSError):
        if expanded >= budget:  # the check sum fails on the read that reaches the probe's size
            raise too_big from None
        raise FileRejected(f"“{name}”已损坏或使用了不支持的压缩方式，请重新生成后上传") from None
    if expanded != info.file_size:
        raise FileRejected(f"“{name}”已损坏（{info.filename} 的大小与记录不符），请重新生成后上传")
    return budget - expanded
