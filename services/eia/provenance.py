"""Where a list of EIA route rules comes from (出处): its source document, publication date and whether it
is only the system's example.

The positive list (正面清单), the exemption list (豁免名录) and the simplified-content list (简化环评内容)
are data a park replaces with its own published text. Until it does, every page and document that
relies on one must say it is an example, not the local published list; with the park's file it cites
the file's source and date instead. This module reads those keys from a TOML table and words the note.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from services.core.formatting import format_date_zh


class EiaConfigError(ValueError):
    """A route-rule file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Provenance:
    """出处 of one list: the document it reproduces, when that was published, and the example flag."""

    noun: str  # 正面清单 / 豁免名录 / 简化环评内容清单
    source: str
    published_on: date | None
    illustrative: bool

    @property
    def note_zh(self) -> str:
        """The sentence pages and documents print next to the list."""
        if self.illustrative:
            return f"本{self.noun}为系统示例配置，非本地正式发布的清单，仅供参考，以审批部门公布的为准"
        when = f"（{format_date_zh(self.published_on)}发布）" if self.published_on else ""
        return f"本{self.noun}依据{self.source}{when}"

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "published_on": self.published_on.isoformat() if self.published_on else None,
                "illustrative": self.illustrative, "note_zh": self.note_zh}


def read_provenance(raw: Mapping[str, Any], noun: str, where: str) -> Provenance:
    """``source``, ``published_on`` and ``illustrative`` of a file; raises :class:`EiaConfigError` naming the key.

    A park's own file (``illustrative`` false or absent) must state its source and a real date; the
    bundled example may leave the date out when the text it imitates has none."""
    illustrative = raw.get("illustrative", False)
    if not isinstance(illustrative, bool):
        raise EiaConfigError(f"{where}：illustrative 应为 true 或 false")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        raise EiaConfigError(f"{where}：缺少 source（{noun}的发布文件名称及文号）")
    published = raw.get("published_on")
    if published is None and not illustrative:
        raise EiaConfigError(f"{where}：缺少 published_on（{noun}的发布日期，如 2024-03-01）")
    if published is not None and (not isinstance(published, date) or hasattr(published, "hour")):
        raise EiaConfigError(f"{where}：published_on 应为日期（TOML 日期，如 2024-03-01，不加引号）")
    return Provenance(noun, source.strip(), published, illustrative)


def require(raw: Mapping[str, Any], key: str, kind: type | tuple[type, ...], where: str, meaning: str) -> Any:
    """``raw[key]`` of the expected type, or :class:`EiaConfigError` naming the key and what it means."""
    if key not in raw:
        raise EiaConfigError(f"{where}：缺少 {key}（{meaning}）")
    value = raw[key]
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise EiaConfigError(f"{where}：{key} 格式不正确（{meaning}）")
    return value
