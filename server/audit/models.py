"""Append-only audit trail: who did what to which patient's data, when, from which device.

Actions follow FHIR AuditEvent codes: C create, R read, U update, D delete, E execute (sign-in).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel


class AuditEvent(SQLModel, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    user_id: int | None = Field(default=None, foreign_key="care_user.id")
    username: str = Field(max_length=64)
    role: str = Field(default="", max_length=20)
    action: str = Field(max_length=1)
    entity_type: str = Field(max_length=40)
    entity_id: str = Field(default="", max_length=40)
    patient_id: int | None = Field(default=None, foreign_key="patient.id", index=True)
    outcome: str = Field(default="success", max_length=20)
    device: str = Field(default="", max_length=255)
    detail: str = Field(default="", max_length=255)
