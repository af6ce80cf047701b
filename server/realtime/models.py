"""Numbered unit events, written in the same transaction as the change they announce."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class UnitEvent(SQLModel, table=True):
    __tablename__ = "unit_event"

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    seq: int
    patient_id: int | None = Field(default=None, foreign_key="patient.id")
    kind: str = Field(max_length=40)
    at: datetime
