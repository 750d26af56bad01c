"""简化环评内容 (simplified EIA content) where the park's plan EIA allows it, and 打捆审批 as an explanation.

The list of contents that may cite the plan EIA is data (``data/eia_simplified.toml``, or the park's
file named by its commitment configuration). The route is open when the project's document is one the
file lists (报告表 / 报告书) and its parcel has a valid plan EIA covering its industry — the same check
the commitment route uses (``services.eia.service.has_plan_eia``), passed in here as a boolean.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from services.eia.provenance import EiaConfigError, Provenance, read_provenance, require
from services.eia.rules import LEVEL_ZH

DEFAULT_SIMPLIFIED = Path(__file__).parent / "data" / "eia_simplified.toml"


@dataclass(frozen=True)
class SimplifiedList:
    version: str
    provenance: Provenance
    levels: tuple[str, ...]
    contents: tuple[tuple[str, str], ...]  # (key, text_zh)
    bundling: dict[str, Any] | None
    path: str


def load_simplified_list(path: str | Path | None = None) -> SimplifiedList:
    """The simplified-content list at ``path`` (default: the bundled illustrative one); cached per path."""
    return _load(str(Path(path or DEFAULT_SIMPLIFIED).resolve()))


@lru_cache(maxsize=16)
def _load(path: str) -> SimplifiedList:
    where = f"简化环评内容清单 {path}"
    try:
        raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise EiaConfigError(f"{where}：无法读取（{error}）") from error
    levels = tuple(raw.get("levels", ("report_form", "report_book")))
    if not set(levels) <= {"report_form", "report_book"}:
        raise EiaConfigError(f"{where}：levels 只能包含 report_form、report_book")
    items = require(raw, "contents", list, where, "可简化的环评内容 [[contents]]")
    contents = []
    for i, item in enumerate(items, start=1):
        require(item, "key", str, f"{where} 第{i}项", "内容标识")
        contents.append((item["key"], require(item, "text_zh", str, f"{where} 第{i}项", "可简化的内容及方式")))
    bundling = raw.get("bundling")
    if bundling is not None:
        require(bundling, "text_zh", str, f"{where} [bundling]", "打捆审批的说明")
        require(bundling, "source", str, f"{where} [bundling]", "打捆审批的出处")
    return SimplifiedList(require(raw, "version", str, where, "清单版本，随每次判定记录"),
                          read_provenance(raw, "简化环评内容清单", where), levels, tuple(contents), bundling, path)


def check_simplified(level: str, plan_eia: bool, plan_reason: str,
                     simplified: SimplifiedList | None = None) -> dict[str, Any]:
    """Which contents of the project's EIA document may cite the plan EIA (JSON-able), and why or why not."""
    simplified = simplified or load_simplified_list()
    if level not in simplified.levels:
        available, why = False, f"环评类别为{LEVEL_ZH[level]}，无须编制报告表或报告书，不涉及内容简化"
    elif not plan_eia:
        available, why = False, f"不适用简化环评内容：{plan_reason}"
    else:
        available = True
        why = f"项目位于有效规划环评覆盖范围内且行业符合（{plan_reason}），{LEVEL_ZH[level]}下列内容可简化"
    bundling = None
    if available and simplified.bundling:
        bundling = {"text_zh": simplified.bundling["text_zh"], "source": simplified.bundling["source"],
                    "inferred": bool(simplified.bundling.get("inferred", False))}
    return {"available": available, "explanation_zh": why, "version": simplified.version,
            "contents": [{"key": k, "text_zh": t} for k, t in simplified.contents] if available else [],
            "bundling": bundling, "list": simplified.provenance.to_dict()}
