"""Rows a case's code knows are stored (the case, its project, its enterprise …), read by id.

``Session.get`` answers None for a missing id; where the id comes from a stored row (a step's
application, an application's project) a missing row is a programming error or a broken database, so
``must_get`` stops with a ``LookupError`` naming the model instead of carrying None into the next line.
Ids from outside (paths, forms) are looked up through ``services.core.visibility``, never here.
"""

from typing import TypeVar

from sqlmodel import Session, SQLModel

T = TypeVar("T", bound=SQLModel)


def must_get(session: Session, model: type[T], row_id: int | None) -> T:
    row = session.get(model, row_id) if row_id is not None else None
    if row is None:
        raise LookupError(f"{model.__name__} {row_id} is not stored")
    return row
