"""统一社会信用代码 (Unified Social Credit Code, GB 32100-2015) normalisation and check digit.

Written here rather than taken from python-stdnum because stdnum requires the first eight
characters to be digits and so rejects valid codes whose registration authority is A, N or Y.
"""

import re
import unicodedata
from dataclasses import dataclass
from typing import Annotated

from pydantic import AfterValidator, Field

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, …
PATTERN = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
AUTHORITY_TYPES = {
    "1": "1239", "2": "19", "3": "19", "4": "19", "5": "1239", "6": "19", "7": "19", "8": "19",
    "9": "123", "A": "19", "N": "1239", "Y": "1",
}


@dataclass(frozen=True)
class UsccResult:
    valid: bool
    normalized: str
    reason: str = ""


def normalize(code: str) -> str:
    """Full-width to half-width (NFKC), drop spaces and hyphens, upper-case."""
    text = unicodedata.normalize("NFKC", code or "")
    return re.sub(r"[\s\-－—]", "", text).upper()


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def validate(code: str) -> UsccResult:
    """Validate a USCC; the reason is a Chinese sentence fit to show next to a form field."""
    norm = normalize(code)
    if not norm:
        return UsccResult(False, norm, "请填写统一社会信用代码")
    if len(norm) != 18:
        return UsccResult(False, norm, f"统一社会信用代码应为18位，当前为{len(norm)}位")
    bad = sorted({ch for ch in norm if ch not in ALPHABET})
    if bad:
        return UsccResult(False, norm, f"含有不允许的字符：{'、'.join(bad)}（不使用I、O、Z、S、V）")
    if not PATTERN.match(norm):
        return UsccResult(False, norm, "第3至8位应为数字（登记管理机关行政区划码）")
    if norm[0] not in AUTHORITY_TYPES or norm[1] not in AUTHORITY_TYPES[norm[0]]:
        return UsccResult(False, norm, f"登记管理部门代码“{norm[:2]}”不存在")
    expected = check_character(norm[:17])
    if norm[17] != expected:
        return UsccResult(False, norm, "校验码错误，请核对统一社会信用代码")
    return UsccResult(True, norm)


def _checked(code: str) -> str:
    result = validate(code)
    if not result.valid:
        raise ValueError(result.reason)
    return result.normalized


#: a USCC field of an input model: normalised, and refused with the Chinese reason when it is not valid
Checked = Annotated[str, Field(max_length=64), AfterValidator(_checked)]
