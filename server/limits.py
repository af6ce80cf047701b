"""Every text column's length is its documented maximum, enforced before anything is written.

PostgreSQL refuses an over-long VARCHAR with a driver error (a 500); SQLite stores it whatever its
length. Checking at flush, against the column's own length, gives both databases the same rule and the
person a clear refusal naming the field (422), and nothing is stored.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from server.errors import InvalidInput


def check_lengths(instance: Any) -> None:
    mapper = inspect(type(instance))
    for column in mapper.columns:
        limit = getattr(column.type, "length", None)
        if not isinstance(limit, int):
            continue
        value = getattr(instance, column.key, None)
        if isinstance(value, str) and len(value) > limit:
            field = column.key.replace("_", " ")
            raise InvalidInput(
                f"The {field} is {len(value)} characters; it can be at most {limit}. Nothing was stored."
            )


@event.listens_for(Session, "before_flush")
def _check_text_lengths(session: Session, _context: object, _instances: object) -> None:
    for instance in (*session.new, *session.dirty):
        check_lengths(instance)
