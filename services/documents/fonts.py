"""The faces documents print in (公文字体, GB/T 9704-2012): the free Fandol faces, loaded from their files.

GB/T 9704 sets the 发文机关标志 and the title in 小标宋, the body in 仿宋, first-level headings in 黑体 and
second-level ones in 楷体. Debian ships free faces of each kind only as the Fandol fonts of
``texlive-lang-chinese`` (OTF files outside fontconfig), so the PDF names them through ``@font-face`` rules
whose ``file://`` URLs point into :data:`FONT_DIR` (:func:`font_face_css`); WeasyPrint embeds subsets.
FandolSong Bold stands in for 小标宋. The DOCX names the same families (:mod:`docx_builder`).

This module neither renders nor chooses which text gets which face (``templates/documents/base.css`` does).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

FONT_DIR = Path("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol")
DEBIAN_PACKAGE = "texlive-lang-chinese"

SONG = "FandolSong"  # 宋体; its Bold weight is the 小标宋 of the masthead and titles
FANG = "FandolFang"  # 仿宋: the body
HEI = "FandolHei"  # 黑体: first-level headings
KAI = "FandolKai"  # 楷体: second-level headings

# (CSS family, CSS weight, file) for every face the documents use
FACES: tuple[tuple[str, str, str], ...] = (
    (SONG, "normal", "FandolSong-Regular.otf"),
    (SONG, "bold", "FandolSong-Bold.otf"),
    (FANG, "normal", "FandolFang-Regular.otf"),
    (HEI, "normal", "FandolHei-Regular.otf"),
    (HEI, "bold", "FandolHei-Bold.otf"),
    (KAI, "normal", "FandolKai-Regular.otf"),
)


def path(file_name: str) -> Path:
    return FONT_DIR / file_name


def check_fonts() -> None:
    """Fail loudly if a face is missing: WeasyPrint would otherwise fall back to whatever fontconfig offers."""
    missing = [name for _, _, name in FACES if not path(name).is_file()]
    if missing:
        raise RuntimeError(f"document fonts missing in {FONT_DIR}: {missing}; install {DEBIAN_PACKAGE} "
                           "(apt-get install --no-install-recommends texlive-lang-chinese, see bin/setup)")


@lru_cache(maxsize=1)
def font_face_css() -> str:
    """The ``@font-face`` rules for every face, with ``file://`` URLs (the render's fetcher allows FONT_DIR)."""
    check_fonts()
    return "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; src: url("{path(name).as_uri()}"); }}'
        for family, weight, name in FACES
    )
