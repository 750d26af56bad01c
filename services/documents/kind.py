"""What a document kind is (文书种类): the declaration every document module ends with, and the
Pydantic base its context model is written on.

A declaration names the kind's code, Chinese title, the word in its 文号 and its template, the model
its context must satisfy (field descriptions say what each key means), the view builder shared by
the HTML template and the DOCX builder, and that DOCX builder. ``services.documents.registry`` finds
the declarations; nothing else lists the kinds.

Context errors keep one wording whichever kind raises them (``"<kind> context: missing uscc; due_on
must be a date, not a datetime"``), so a caller, a log line or a test reads every kind the same way.
This module does not render, number or store documents.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
    ValidationInfo,
)


class ContextModel(BaseModel):
    """A document context: strict types (a datetime is not a date, True is not an int), extra keys
    ignored (builders pass their common case fields to every kind)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, arbitrary_types_allowed=True)


def _tuple_as_list(value: object) -> object:
    return list(value) if isinstance(value, tuple) else value


def _day_or_none(value: object, info: ValidationInfo) -> object:
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    raise ValueError(f"{info.field_name} must be a date or None, not {type(value).__name__}")


def decimal_text(value: str, info: ValidationInfo) -> str:
    try:
        number = Decimal(value.strip().replace(",", ""))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise ValueError(f"{info.field_name} is not a decimal number: {value!r}")
    return value


T = TypeVar("T")
# A list in a context may come as a tuple (a builder's constant) or a list (stored JSON).
Items = Annotated[list[T], BeforeValidator(_tuple_as_list)]
# Text that must say something (a reason, a signer): blank is refused as "must not be empty".
NotBlank = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# A date that may be absent as None (the key must still be there).
DayOrNone = Annotated[date | None, BeforeValidator(_day_or_none)]
# An amount or area as a decimal string ("20000.00", "1,000"): a typo must not reach an official figure.
DecimalText = Annotated[str, AfterValidator(decimal_text)]
# The same, or blank where the figure is not known (printed —).
DecimalTextOrBlank = Annotated[str, AfterValidator(lambda v, info: decimal_text(v, info) if v.strip() else v)]


def context_day(info: ValidationInfo, key: str) -> date | None:
    """Another key's date from the raw context, for a cross-field check that runs even when that key
    is itself wrong (then None: its own error is reported)."""
    value = (info.context or {}).get(key)
    return value if isinstance(value, date) and not isinstance(value, datetime) else None


@dataclass(frozen=True)
class DocumentKind:
    """One document kind, declared once in its module as ``DOCUMENT = DocumentKind(...)``."""

    code: str  # e.g. acceptance_notice; also the numbering sequence and the stored file's stem
    title: str  # the Chinese title, e.g. 受理通知书
    number_word: str  # the word in its 文号, e.g. 受 in 东莞绿通受〔2026〕第0001号
    template: str  # file name under templates/documents
    prepare: Callable[[Mapping], Any]  # checked context → view with a ``meta`` attribute
    build_docx: Callable[[Any, Any], None]  # (docx Document, view) → None
    context: type[ContextModel]  # what the context must hold; its field descriptions say what each key means

    def check(self, ctx: Mapping) -> None:
        """Raise ``ValueError`` naming every missing, mistyped or inconsistent key of ``ctx``.

        Cross-field validators read the raw context (``context_day``), so a problem in one key does not
        hide a problem in another: every problem is named at once."""
        try:
            self.context.model_validate(dict(ctx), context=dict(ctx))
        except ValidationError as exc:
            raise ValueError(f"{self.code} context: " + "; ".join(problems(exc))) from None

    def view(self, ctx: Mapping) -> Any:
        """The view both formats print: the context checked, then laid out."""
        self.check(ctx)
        return self.prepare(ctx)


def problems(exc: ValidationError) -> list[str]:
    """Pydantic's errors in the documents' own wording, one line per problem."""
    return [_problem(error) for error in exc.errors(include_url=False)]


def _problem(error: Mapping[str, Any]) -> str:
    name = _dotted(error["loc"])
    kind, value = error["type"], error.get("input")
    if kind == "missing":
        return f"missing {name}"
    if kind in ("value_error", "assertion_error"):  # the validator names its field; we add where it sits
        parent = _dotted(error["loc"][:-1])
        return f"{parent}.{error['ctx']['error']}" if parent else str(error["ctx"]["error"])
    if kind in ("model_type", "string_type") and isinstance(error["loc"][-1], int):  # an item of a list
        return f"{name} must be a {'dict' if kind == 'model_type' else 'str'}"
    if kind == "date_type" and isinstance(value, datetime):
        return f"{name} must be a date, not a datetime"
    if kind == "int_type" and isinstance(value, bool):
        return f"{name} must be an int"
    if kind == "too_short":
        return f"{name} needs at least {error['ctx']['min_length']} item(s)"
    if kind == "literal_error":  # pydantic says "'a', 'b' or 'c'"; we print the list and the value
        allowed = error["ctx"]["expected"].replace(" or ", ", ")
        return f"{name} must be one of [{allowed}], not {value!r}"
    if kind in ("greater_than_equal", "string_too_short"):
        return f"{name} {_BOUNDS[kind](error['ctx'])}"
    return f"{name} has type {type(value).__name__}"


_BOUNDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "greater_than_equal": lambda ctx: "must not be negative" if ctx["ge"] == 0 else f"must be at least {ctx['ge']}",
    "string_too_short": lambda ctx: "must not be empty",
}


def _dotted(loc: tuple[int | str, ...]) -> str:
    """``("cases", 0, "steps", 1, "due_on")`` → ``cases[0].steps[1].due_on``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif not part.startswith(("function-", "list[", "tuple[")):
            text += f".{part}" if text else part
    return text
