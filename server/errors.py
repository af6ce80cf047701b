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


class OutsideYourUnits(NotAllowed):
    """A clinical reader opened a patient on a unit they are not assigned to, without a break-the-glass
    grant for them: pages ask for a reason instead of a bare refusal. It names no patient data."""

    def __init__(self, patient_id: int) -> None:
        super().__init__("This record is outside your units.")
        self.patient_id = patient_id
