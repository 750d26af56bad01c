"""Bounded types for what arrives in a URL or a header: row ids, step keys, the Idempotency-Key.

Each is bounded by the column it is compared with, so a value no row can have is a 422 with a Chinese
message (``forms.errors``) instead of a database error: PostgreSQL refuses an id ≥ 2³¹ or a NUL in a
text, and a key longer than its column. Every route's integer parameter is an ``Id``
(``tests/api/test_edge_input.py`` walks the app's routes to keep it so).
"""

from typing import Annotated

from fastapi import Header, Path

from services.core.ids import Id as Id
from services.core.text import KEY_MAX_LENGTH

#: a step of a process definition (``design_review``): lower-case ASCII, as in the definitions
StepKey = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]

#: the ``Idempotency-Key`` header of the API's create endpoints, bounded by its column; the services
#: check its characters too (for the forms' hidden field as well)
IdempotencyKey = Annotated[str | None, Header(
    alias="Idempotency-Key", max_length=KEY_MAX_LENGTH,
    description=f"重试安全：同一键重复提交返回同一结果；至多{KEY_MAX_LENGTH}个可见ASCII字符（如UUID）")]
