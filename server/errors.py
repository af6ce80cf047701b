"""Domain errors. Each carries the message a user reads and the HTTP status it maps to (in app.py)."""

from __future__ import annotations


class BedsideError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message
        self.headers: dict[str, str] = {}
        """Headers the answer must carry (e.g. Retry-After)."""


class NotFound(BedsideError):
    status_code = 404


class NotAllowed(BedsideError):
    """The signed-in user's role or units do not cover this patient or action."""

    status_code = 403


class InvalidInput(BedsideError):
    """A missing or out-of-range value; nothing was stored."""

    status_code = 422


class Conflict(BedsideError):
    """The request does not fit the record's current state; nothing was stored."""

    status_code = 409
