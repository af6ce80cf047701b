"""Units, patients and massage orders (referrals) with their site restrictions."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class OrderStatus(StrEnum):
    active = "active"
    on_hold = "on_hold"
    discontinued = "discontinued"


TECHNIQUES = (
    "Swedish",
    "Shiatsu",
    "Trigger point",
    "Deep tissue",
    "Hot stone",
    "Aromatherapy",
    "Sports",
    "Reflexology",
    "Thai",
    "Neuromuscular",
    "Prenatal",
)


class Unit(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(unique=True, max_length=20)
    name: str = Field(max_length=120)
    last_event_seq: int = 0


class Room(SQLModel, table=True):
    """A room of a unit, as admission offers it. Rooms are added and taken out of use, never renamed or
    deleted, so a patient's `room` (the room's name) always names a room the unit had."""

    __table_args__ = (UniqueConstraint("unit_id", "name", name="uq_room_unit_name"),)

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    name: str = Field(max_length=16)
    active: bool = True


DEMO_MRN_PREFIX = "DEMO-"
"""Demo patients' MRNs start with this, and only theirs: real admission refuses it."""


class Patient(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    mrn: str = Field(unique=True, index=True, max_length=32)
    """Unique in the hospital, kept by the database's unique index (a second admission gets a 409)."""
    given_name: str = Field(max_length=80)
    family_name: str = Field(max_length=80)
    date_of_birth: date
    unit_id: int = Field(foreign_key="unit.id", index=True)
    room: str = Field(max_length=16)
    bed: str = Field(default="", max_length=8)
    comfort_care: bool = False
    non_verbal: bool = False
    """Cannot self-report pain: scored with an observational scale (PAINAD)."""
    allergies: str = Field(default="", max_length=255)
    isolation: str = Field(default="", max_length=80)
    fall_risk: bool = False
    language: str = Field(default="English", max_length=40)
    pain_scale: str = Field(default="nrs", max_length=16)
    admitted_at: datetime | None = None
    """When Bedside admitted the patient (none for patients from before admission existed)."""
    discharged_at: datetime | None = Field(default=None, index=True)
    """Set at discharge: the patient leaves every worklist and board; the record stays readable."""

    @property
    def display_name(self) -> str:
        return f"{self.family_name}, {self.given_name}"


LIVE_ORDER = "status IN ('active', 'on_hold')"
"""At most one live (active or held) order per patient: a unique index on these rows (migration 0007)."""


class MassageOrder(SQLModel, table=True):
    __tablename__ = "massage_order"
    __table_args__ = (
        Index(
            "uq_massage_order_one_live_per_patient",
            "patient_id",
            unique=True,
            sqlite_where=text(LIVE_ORDER),
            postgresql_where=text(LIVE_ORDER),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    ordering_clinician_id: int | None = Field(default=None, foreign_key="care_user.id")
    ordering_clinician_name: str = Field(max_length=120)
    indication: str = Field(max_length=40)
    allowed_techniques: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    frequency: str = Field(default="daily", max_length=40)
    duration_minutes: int = 20
    max_pressure: int = Field(default=2, ge=1, le=5)
    """Maximum pressure on the Walton scale, 1 (lightest) to 5."""
    platelet_threshold: int | None = None
    status: str = Field(default=OrderStatus.active, max_length=20)
    start_date: date
    end_date: date | None = None
    created_at: datetime


class SiteRestriction(SQLModel, table=True):
    __tablename__ = "site_restriction"

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="massage_order.id", index=True)
    region: str = Field(max_length=40)
    side: str = Field(default="", max_length=10)
    reason: str = Field(max_length=80)

    @property
    def label(self) -> str:
        return f"{self.side} {self.region}".strip() + f" ({self.reason})"


class BreakGlassGrant(SQLModel, table=True):
    """A clinician's reason for reading one patient outside their units, and until when it holds.

    Kept in the database, not the sign-in session, so that every instance honours it; never changed after
    it is written (the audit trail records it too)."""

    __tablename__ = "break_glass_grant"
    __table_args__ = (Index("ix_break_glass_grant_user_patient", "user_id", "patient_id", "expires_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="care_user.id")
    patient_id: int = Field(foreign_key="patient.id")
    reason: str = Field(max_length=20)
    detail: str = Field(max_length=200)
    granted_at: datetime = Field(index=True)
    expires_at: datetime


INDICATIONS = ("pain", "anxiety", "edema", "sleep", "comfort")
FREQUENCIES = ("once", "daily", "twice daily", "three times a week", "weekly", "as needed")
REGIONS = (
    "head",
    "neck",
    "shoulder",
    "upper arm",
    "forearm",
    "hand",
    "chest",
    "abdomen",
    "upper back",
    "lower back",
    "hip",
    "thigh",
    "knee",
    "lower leg",
    "foot",
)
"""The body regions a restriction or a treatment names; the body map draws the same list."""
SIDES = ("", "left", "right", "both")
RESTRICTION_REASONS = (
    "IV site",
    "Port",
    "Incision",
    "Drain",
    "DVT",
    "Radiation field",
    "Fracture",
    "Lymphedema risk",
    "Open wound",
    "Pressure injury",
    "Other",
)
WALTON_PRESSURE = {
    1: "lightest touch, skin only",
    2: "light pressure",
    3: "moderate pressure",
    4: "firm pressure",
    5: "deep pressure",
}
"""Level numbers of the Walton pressure scale with plain descriptions (not official level names)."""
