"""The JSON API's shapes for staff accounts. No password or hash is ever sent back."""

from __future__ import annotations

from datetime import datetime

import msgspec

from server.staff.service import StaffAccount


class AccountIn(msgspec.Struct):
    username: str = ""
    full_name: str = ""
    role: str = ""
    """therapist, nurse, physician, hospice or admin."""
    unit_ids: list[int] = []
    temporary_password: str = ""
    """12 to 128 characters, not a common password; the person must change it at first sign-in."""


class PasswordResetIn(msgspec.Struct):
    temporary_password: str = ""


class RoleIn(msgspec.Struct):
    role: str = ""
    """therapist, nurse, physician, hospice or admin."""


class AccountOut(msgspec.Struct):
    id: int
    username: str
    full_name: str
    role: str
    unit_ids: list[int]
    units: list[str]
    """The units' codes."""
    active: bool
    must_change_password: bool
    demo: bool
    """Created by the demo data, with its published password."""
    created_at: datetime


def account_out(account: StaffAccount) -> AccountOut:
    user = account.user
    assert user.id is not None
    return AccountOut(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        role=user.role,
        unit_ids=[unit.id for unit in account.units if unit.id is not None],
        units=[unit.code for unit in account.units],
        active=user.active,
        must_change_password=user.must_change_password,
        demo=user.demo,
        created_at=user.created_at,
    )
