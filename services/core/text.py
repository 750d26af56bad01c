"""Free text typed by people (pages, API, CSV): one set of rules for what may be stored and printed.

Every such text ends up in a column of fixed length and, often, in a document. PostgreSQL refuses NUL,
python-docx refuses whatever is not XML 1.0 ("All strings must be XML compatible"), and an unbounded
reason makes a document render for seconds inside the request. So each free-text input is checked
once, at the edge, by the same rules:

- surrounding white space is stripped;
- control characters (U+0000–U+001F, U+007F–U+009F, NUL included) are refused, except line feed,
  carriage return and tab in a multi-line field (a textarea);
- Unicode non-characters (U+FFFE, U+FFFF, U+FDD0–U+FDEF …) and lone surrogates are refused;
- the length is bounded by the column the text is stored in (``max_length``).

``Annotated[str, Checked(n)]`` is the type for pydantic models (``Text(n)`` is the same, built by a call);
its errors carry the types ``text_control``, ``text_line_break`` and ``text_noncharacter``, and
``message_zh`` turns them (and the length errors) into a Chinese message naming the field. ``clean`` is
the same check for services that take plain strings (a reason, a file name) and raises ``TextError``
with that message. ``check_key`` bounds an idempotency key to its column.

This module must not know forms, HTTP or any form's field labels, and must never drop or replace a
character silently: the person sees what is wrong and fixes it.
"""

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from annotated_types import GroupedMetadata
from pydantic import AfterValidator, StringConstraints
from pydantic_core import PydanticCustomError

from services.core.errors import DomainError

KEY_MAX_LENGTH = 64  # every idempotency_key column (application, mandate, verification_record)

MESSAGES = {
    "text_control": "{label}含有不可见的控制字符，请删除后重新提交",
    "text_line_break": "{label}只能填写一行，请删除其中的换行符或制表符",
    "text_noncharacter": "{label}含有无法识别的字符（如U+FFFF），请删除后重新提交",
}
LINE_BREAKS = frozenset("\n\r\t")


class TextError(DomainError):
    """A text that may not be stored, with its Chinese message (the field's label included)."""

    def __init__(self, message: str):
        super().__init__(message)


def problem(value: str, *, multiline: bool = False) -> str | None:
    """The error type of the first character that may not be stored (``text_*``), or None."""
    for char in value:
        code = ord(char)
        if code < 0x20 or 0x7F <= code <= 0x9F:
            if char in LINE_BREAKS:
                if multiline:
                    continue
                return "text_line_break"
            return "text_control"
        if 0xD800 <= code <= 0xDFFF or 0xFDD0 <= code <= 0xFDEF or code & 0xFFFE == 0xFFFE:
            return "text_noncharacter"
    return None


def _validator(multiline: bool):
    def check(value: str) -> str:
        kind = problem(value, multiline=multiline)
        if kind:
            raise PydanticCustomError(kind, MESSAGES[kind].format(label=""))
        return value
    return check


_SINGLE_LINE, _MULTI_LINE = _validator(False), _validator(True)


@dataclass(frozen=True)
class Checked(GroupedMetadata):
    """A stripped text of ``min_length``–``max_length`` characters with nothing invisible in it, as pydantic
    metadata: ``name: Annotated[str, Checked(64)]`` (pydantic unpacks the group; a type checker sees a ``str``).

    ``max_length`` is the length of the column the text is stored in; ``min_length=0`` for optional text."""

    max_length: int
    min_length: int = 1
    multiline: bool = False

    def __iter__(self) -> Iterator[Any]:
        yield StringConstraints(strip_whitespace=True, min_length=self.min_length, max_length=self.max_length)
        yield AfterValidator(_MULTI_LINE if self.multiline else _SINGLE_LINE)


def Text(max_length: int, *, min_length: int = 1, multiline: bool = False) -> Any:
    """``Annotated[str, Checked(...)]`` built by a call; a type checker cannot read it in an annotation, so
    prefer writing ``Annotated[str, Checked(n)]``."""
    return Annotated[str, Checked(max_length, min_length=min_length, multiline=multiline)]


def message_zh(label: str, item: Mapping[str, Any]) -> str | None:
    """The Chinese message for a pydantic error of a text field, naming it; None for other errors."""
    kind, ctx = item.get("type", ""), item.get("ctx") or {}
    if kind in MESSAGES or kind == "string_unicode":  # pydantic's own refusal of a lone surrogate
        return MESSAGES.get(kind, MESSAGES["text_noncharacter"]).format(label=label)
    if kind == "string_too_long":
        return f"{label}不能超过{ctx.get('max_length')}个字"
    if kind in ("missing", "string_too_short"):
        return f"请填写{label}"
    if kind == "string_type":
        return f"{label}请填写文字"
    return None


def clean(value: str, *, label: str, max_length: int, min_length: int = 0, multiline: bool = False,
          short_message: str | None = None) -> str:
    """``value`` stripped, or ``TextError`` with the Chinese message; the same rules as ``Text``.

    ``short_message`` replaces the default when the text is shorter than ``min_length``."""
    value = value.strip()
    if len(value) > max_length:
        raise TextError(f"{label}不能超过{max_length}个字")
    kind = problem(value, multiline=multiline)
    if kind:
        raise TextError(MESSAGES[kind].format(label=label))
    if len(value) < min_length:
        raise TextError(short_message or f"请填写{label}")
    return value


def check_key(value: str) -> str:
    """An idempotency key as sent (header or hidden form field): 1–64 visible ASCII characters."""
    if not 1 <= len(value) <= KEY_MAX_LENGTH or not all("!" <= char <= "~" for char in value):
        raise TextError(f"Idempotency-Key（防重复提交编号）须为1至{KEY_MAX_LENGTH}个英文字母、数字或符号，不含空格")
    return value
