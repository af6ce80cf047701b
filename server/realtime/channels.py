"""Names of this instance's local channels: which open sockets a rendered fragment goes to.

Every channel but a therapist's own follows one unit's numbered changes, so its pushes carry that
unit's event number for resuming.
"""

from __future__ import annotations


def worklist(unit_id: int) -> str:
    """Therapists' worklists (a worklist covers each of its therapist's units)."""
    return f"worklist-unit-{unit_id}"


def board(unit_id: int, *, can_flag: bool) -> str:
    """Nurses' boards carry flag buttons; read-only boards (physicians) get the same row without them."""
    return f"board-unit-{unit_id}" if can_flag else f"board-unit-{unit_id}-readonly"


def patient(patient_id: int) -> str:
    """The patient's own page and session screens."""
    return f"patient-{patient_id}"


def comfort_log(patient_id: int) -> str:
    return f"comfort-log-{patient_id}"


def therapist(user_id: int) -> str:
    """One therapist's own tablets, whatever page they show: interruptions meant for them."""
    return f"therapist-{user_id}"


def account(user_id: int) -> str:
    """Every socket a person has open, whatever it shows: closed when their sign-in ends."""
    return f"account-{user_id}"


def sign_in(sign_in_id: str) -> str:
    """The sockets of one sign-in (one tablet): closed when that tablet is locked."""
    return f"sign-in-{sign_in_id}"


def closing(user_id: int, sign_in_id: str) -> list[str]:
    """The channels whose close frame ends a socket: its person's and its own sign-in's."""
    return [account(user_id)] + ([sign_in(sign_in_id)] if sign_in_id else [])


def follows_unit_numbers(name: str) -> bool:
    return not name.startswith(("therapist-", "account-", "sign-in-"))
