"""公文格式 (GB/T 9704-2012) helpers shared by the PDF templates and the DOCX builders: the size of the 发文机关标志,
the 二级标题 lead of a paragraph, and the signature block's seal.

The rules live here once so that ``templates/documents/*.html`` (Jinja filters and globals registered by
``render``) and ``docx_builder`` / ``layout`` print the same thing. This module does not render.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from services.documents import seal

TEXT_WIDTH_PT = 156 / 25.4 * 72  # 版心 width, 156 mm
MASTHEAD_MAX_PT = 36.0  # 小初; a short name is not set larger
MASTHEAD_MIN_PT = 16.0
# （一）… or 1. … : a second-level heading leads the paragraph up to its first 。 or ：
_SECOND_LEVEL = re.compile(r"^(（[一二三四五六七八九十]+）[^。：；]{0,24}?[。：])(.*)$", re.S)


def masthead_pt(name: str) -> float:
    """发文机关标志 font size: as large as 小初, but the whole name on one line of the 版心."""
    fitted = TEXT_WIDTH_PT * 0.98 / max(len(name), 1)
    return round(max(MASTHEAD_MIN_PT, min(MASTHEAD_MAX_PT, fitted)), 1)


def second_level(text: str) -> tuple[str, str]:
    """``"（一）开工时间：2027年…"`` → ``("（一）开工时间：", "2027年…")``; the lead is set in 楷体.
    ``("", text)`` where the paragraph has no such lead."""
    match = _SECOND_LEVEL.match(text)
    return (match.group(1), match.group(2)) if match else ("", text)


def signer(lines: Sequence[str]) -> str:
    """The body named on a signature block's first line, without a label (``发证机关：X`` → X)."""
    first = lines[0] if lines else ""
    return first.rpartition("：")[2].strip()


def sealed(lines: Sequence[str]) -> bool:
    """A block with a seal line (``（盖章）``) whose signer has a seal image: the image replaces the line."""
    return any(seal.is_seal_line(line) for line in lines) and bool(lines) and seal.applies_to(signer(lines))


def without_seal_line(lines: Sequence[str]) -> tuple[str, ...]:
    return tuple(line for line in lines if not seal.is_seal_line(line))
