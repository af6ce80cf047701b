"""Availability flags that nurses set; while one is active the patient is unavailable."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel


class FlagKind(StrEnum):
    procedure = "procedure"
    imaging = "imaging"
    dialysis = "dialysis"
    pt_ot = "pt_ot"
    sleeping = "sleeping"
    family_visit = "family_visit"
    clinically_unstable = "clinically_unstable"
    meds_just_given = "meds_just_given"
    isolation_change = "isolation_change"
    end_of_life_vigil = "end_of_life_vigil"
    do_not_disturb = "do_not_disturb"
    other = "other"

    @property
    def label(self) -> str:
        return FLAG_LABELS[self]


FLAG_LABELS: dict[FlagKind, str] = {
    FlagKind.procedure: "Procedure",
    FlagKind.imaging: "Imaging",
    FlagKind.dialysis: "Dialysis",
    FlagKind.pt_ot: "PT/OT",
    FlagKind.sleeping: "Sleeping",
    FlagKind.family_visit: "Family visit",
    FlagKind.clinically_unstable: "Clinically unstable",
    FlagKind.meds_just_given: "Meds just given",
    FlagKind.isolation_change: "Isolation change",
    FlagKind.end_of_life_vigil: "End-of-life vigil",
    FlagKind.do_not_disturb: "Do not disturb",
    FlagKind.other: "Other",
}


class AvailabilityFlag(SQLModel, table=True):
    __tablename__ = "availability_flag"
    __table_args__ = (
        Index(
            "uq_availability_flag_one_active_per_patient",
            "patient_id",
            unique=True,
            sqlite_where=text("cleared_at IS NULL"),
            postgresql_where=text("cleared_at IS NULL"),
        ),
    )
    """At most one flag in force per patient: a new one replaces it, an expired one is cleared at its
    'until' time by the sweep (cleared_by_id empty)."""

    id: int | None = Field(default=None, primary_key=True)
    patient_id: int = Field(foreign_key="patient.id", index=True)
    kind: str = Field(max_length=32)
    note: str = Field(default="", max_length=200)
    until: datetime | None = None
    set_by_id: int = Field(foreign_key="care_user.id")
    set_at: datetime
    cleared_by_id: int | None = Field(default=None, foreign_key="care_user.id")
    cleared_at: datetime | None = None
    expiry_announced_at: datetime | None = None
    """Set by the one instance that announced this flag's expiry, so it is pushed exactly once."""

    def is_active(self, now: datetime) -> bool:
        """Active until cleared, or until its "until" time passes (it expires by itself)."""
        if self.cleared_at is not None and self.cleared_at <= now:
            return False
        return self.until is None or now < self.until

    @property
    def kind_label(self) -> str:
        try:
            return FlagKind(self.kind).label
        except ValueError:
            return self.kind
