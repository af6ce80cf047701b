"""Care-team users, their roles and the units they work on."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, text
from sqlmodel import Field, SQLModel


class Role(StrEnum):
    therapist = "therapist"
    nurse = "nurse"
    hospice = "hospice"
    physician = "physician"
    admin = "admin"


class ThemeChoice(StrEnum):
    """How a person's screens look: always day, always night, or by the hospital's night hours."""

    day = "day"
    night = "night"
    auto = "auto"


class User(SQLModel, table=True):
    """An account is never deleted (the audit trail keeps its name): it is deactivated instead."""

    __tablename__ = "care_user"
    __table_args__ = (
        Index("uq_care_user_username_lower", text("lower(username)"), unique=True),
        CheckConstraint("theme IN ('day', 'night', 'auto')", name="ck_care_user_theme"),
    )

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(unique=True, index=True, max_length=64)
    full_name: str = Field(max_length=120)
    role: str = Field(max_length=20)
    password_hash: str = Field(max_length=255)
    pin_hash: str | None = Field(default=None, max_length=255)
    """The person's unlock PIN (Argon2), set by themselves after a full sign-in; none: unlock by password."""
    pin_failures: int = 0
    """Wrong PINs since the last good one or the last full sign-in: at `PIN_TRIES` the PIN stops working
    until the person signs in with their password (counted in one UPDATE, so parallel guesses all count)."""
    active: bool = True
    created_at: datetime
    sign_in_generation: int = 0
    """Counts password changes, resets and deactivations; a sign-in made under an earlier count no longer
    holds."""
    must_change_password: bool = False
    """Set by an administrator's temporary password: until the person chooses their own, every page sends
    them to /account/password and the API refuses (`policy.check`)."""
    demo: bool = False
    """Created by the demo data (a known password): marked on the administrators' list of accounts."""
    theme: str = Field(default=ThemeChoice.auto.value, max_length=10)
    """Day, night or automatic (`ThemeChoice`): kept with the person, not the tablet (tablets are shared)."""


class UserUnit(SQLModel, table=True):
    """Which units a user works on; it scopes every patient they may see."""

    __tablename__ = "user_unit"

    user_id: int = Field(foreign_key="care_user.id", primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", primary_key=True)
