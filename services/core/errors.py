"""Domain errors (业务错误): one base every refusal of the domain derives from.

A domain error is what a person can be told: a Chinese ``message``, the form ``field`` it concerns
(None when it concerns no single field), every field found wrong in ``errors``, and the HTTP
``status`` a request answers with (422 for what the person can correct, 403 for what they may not
do, 409 when the case moved on under them). The web layer turns any of them into that answer in
one place (``forms.errors.install``); this module knows nothing of HTTP frameworks.

It derives from ``ValueError`` because callers (and tests) have always caught these refusals as
value errors; new code should catch ``DomainError`` or the specific class.
"""

from collections.abc import Mapping


class DomainError(ValueError):
    """A refusal with a Chinese message, the field it concerns and the HTTP status to answer with."""

    status: int = 422

    def __init__(self, message: str, *, field: str | None = None, errors: Mapping[str, str] | None = None,
                 status: int | None = None):
        super().__init__(message)
        self.message, self.field = message, field
        self.errors: dict[str, str] = dict(errors) if errors else ({field: message} if field else {})
        if status is not None:
            self.status = status


class Conflict(DomainError):
    """The row was not in the state the caller expected: someone else acted first (409)."""

    status = 409
