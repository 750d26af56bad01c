"""GB/T 4754-2017 industry codes (国民经济行业分类): format and the divisions a park accepts."""

import re
import tomllib
from functools import lru_cache
from pathlib import Path

CLASS_PATTERN = re.compile(r"^\d{4}$")


@lru_cache
def divisions() -> dict[str, str]:
    data = tomllib.loads((Path(__file__).parent / "data" / "industry_divisions.toml").read_text())
    return data["divisions"]


def check_class_code(code: str) -> str | None:
    """Return a Chinese error for a bad 4-digit class code (小类), or None when acceptable."""
    code = (code or "").strip()
    if not CLASS_PATTERN.match(code):
        return "行业代码应为4位数字（国民经济行业分类小类，如3981）"
    if code[:2] not in divisions():
        return f"行业大类“{code[:2]}”不在园区受理范围内（制造业13–43等）"
    return None


def division_name(code: str) -> str:
    return divisions().get((code or "")[:2], "")
