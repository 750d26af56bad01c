"""What an upload really is (``services.core.file_kinds``): the content must match the name; archives are
measured by what they really expand to, not by the sizes they declare."""

import io
import re
import struct
import zipfile
import zlib

import pytest

from services.core.file_kinds import FileRejected, identify

MIB = 1024 * 1024
BOUND = 200 * MIB


def _zip(*entries: tuple[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            archive.writestr(name, data)
    return buffer.getvalue()


def _lying_zip(name: str, expanded_mib: int, declared: int) -> bytes:
    """One deflated entry of ``expanded_mib`` MiB of zeros whose headers claim ``declared`` bytes."""
    packer, chunk, crc = zlib.compressobj(9, zlib.DEFLATED, -15), bytes(MIB), 0
    body = b"".join(packer.compress(chunk) for _ in range(expanded_mib)) + packer.flush()
    for _ in range(expanded_mib):
        crc = zlib.crc32(chunk, crc)
    raw = name.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0, crc, len(body), declared, len(raw), 0) + raw
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0, crc, len(body), declared,
                          len(raw), 0, 0, 0, 0, 0, 0) + raw
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(body), 0)
    return local + body + central + end


@pytest.mark.parametrize(("name", "data", "kind"), [
    ("报告.pdf", b"%PDF-1.7\n...", "pdf"),
    ("现场.PNG", b"\x89PNG\r\n\x1a\n....", "png"),
    ("现场.jpeg", b"\xff\xd8\xff\xe0....", "jpeg"),
    ("说明.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1....", "doc"),
    ("说明.docx", _zip(("[Content_Types].xml", b"<Types/>"), ("word/document.xml", b"<w:document/>")), "docx"),
    ("明细.xlsx", _zip(("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<workbook/>")), "xlsx"),
    ("证照.ofd", _zip(("OFD.xml", b"<ofd:OFD/>"), ("Doc_0/Document.xml", b"<x/>")), "ofd"),
    ("材料.zip", _zip(("扫描件.pdf", b"%PDF-1.4"), ("说明.txt", "说明".encode())), "zip"),
])
def test_files_whose_content_matches_their_name_are_taken(name, data, kind):
    assert identify(name, data, max_expanded=BOUND).key == kind


@pytest.mark.parametrize(("name", "data", "message"), [
    ("报告.pdf", b"MZ\x90\x00\x03" + bytes(100), "“报告.pdf”的内容不是PDF文件"),
    ("现场.jpg", b"\x89PNG\r\n\x1a\n....", "“现场.jpg”的内容不是JPG 图片文件"),
    ("说明.docx", _zip(("[Content_Types].xml", b"<Types/>"), ("xl/workbook.xml", b"<w/>")), "不是Word（DOCX）文件"),
    ("说明.docx", b"PK\x03\x04 not really a zip", "“说明.docx”已损坏"),
    ("安装.exe", b"MZ", "“安装.exe”的格式不支持"),
    ("材料.zip", _zip(("setup.exe", b"MZ\x90\x00")), "含有可执行程序（setup.exe）"),
    ("材料.zip", _zip(("readme.txt", b"MZ\x90\x00 renamed program")), "含有可执行程序（readme.txt）"),
])
def test_files_that_are_not_what_they_claim_are_refused_naming_the_file(name, data, message):
    with pytest.raises(FileRejected, match=re.escape(message)):
        identify(name, data, max_expanded=BOUND)


def test_an_archive_that_expands_past_the_bound_is_refused_even_when_it_declares_a_small_size():
    with pytest.raises(FileRejected, match="解压后超过200MB"):  # refused from the declared sizes alone
        identify("材料.zip", _lying_zip("扫描件.pdf", 300, 300 * MIB), max_expanded=BOUND)
    lying = _lying_zip("扫描件.pdf", 300, 1000)
    with pytest.raises(FileRejected, match="解压后超过200MB"):
        identify("材料.zip", lying, max_expanded=BOUND)  # refused while decompressing
    with pytest.raises(FileRejected, match="大小与记录不符"):
        identify("材料.zip", _lying_zip("扫描件.pdf", 2, 1000), max_expanded=BOUND)
