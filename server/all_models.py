"""Imports every table so SQLModel.metadata knows them (for Alembic and test databases)."""

from sqlmodel import SQLModel

from server.audit.models import AuditEvent
from server.auth.models import User, UserUnit
from server.auth.session_store import WebSession
from server.availability.models import AvailabilityFlag
from server.changes import UnitEvent
from server.patients.models import BreakGlassGrant, MassageOrder, Patient, Room, SiteRestriction, Unit
from server.presence.service import TabletPresence
from server.sessions.models import Amendment, Interruption, MassageSession, Score, TabletStep

metadata = SQLModel.metadata

__all__ = [
    "Amendment",
    "AuditEvent",
    "AvailabilityFlag",
    "BreakGlassGrant",
    "Interruption",
    "MassageOrder",
    "MassageSession",
    "Patient",
    "Room",
    "Score",
    "SiteRestriction",
    "TabletPresence",
    "TabletStep",
    "Unit",
    "UnitEvent",
    "User",
    "UserUnit",
    "WebSession",
    "metadata",
]
