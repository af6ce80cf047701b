"""The one audit call. Services call it inside the transaction of the read or write it records."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEvent
from server.auth.actor import Actor
from server.clock import clock_of
from server.errors import InvalidInput
from server.spreadsheets import spreadsheet_safe


class AuditAction(StrEnum):
    create = "C"
    read = "R"
    update = "U"
    delete = "D"
    execute = "E"


def record_audit(
    db: AsyncSession,
    actor: Actor | None,
    action: AuditAction,
    entity_type: str,
    entity_id: object = "",
    *,
    patient_id: int | None = None,
    detail: str = "",
    outcome: str = "success",
    username: str = "",
    device: str = "",
) -> AuditEvent:
    event = AuditEvent(
        at=clock_of(db).now(),
        user_id=actor.user_id if actor else None,
        username=actor.username if actor else username,
        role=str(actor.role) if actor else "",
        action=str(action),
        entity_type=entity_type,
        entity_id=str(entity_id),
        patient_id=patient_id,
        outcome=outcome,
        device=(actor.device if actor else device)[:255],
        detail=detail[:255],
    )
    db.add(event)
    return event


@dataclass(frozen=True)
class AuditQuery:
    """What the administrator looks for: a user, a patient (by id), an action, a period (hospital days)."""

    username: str = ""
    patient_id: int | None = None
    action: str = ""
    start: date | None = None
    end: date | None = None

    def describe(self) -> str:
        parts = {"user": self.username, "patient": self.patient_id, "action": self.action}
        parts |= {"from": self.start, "to": self.end}
        return ", ".join(f"{k} {v}" for k, v in parts.items() if v) or "all"


async def find_audit_events(
    db: AsyncSession, actor: Actor, query: AuditQuery, *, purpose: str = "read", limit: int = 500
) -> list[AuditEvent]:
    """Newest first; reading (or exporting) the audit log is itself audited."""
    if query.action and query.action not in {a.value for a in AuditAction}:
        raise InvalidInput("Choose an action: C (create), R (read), U (update), D (delete), E (execute).")
    if query.start and query.end and query.start > query.end:
        raise InvalidInput("The start of the period is after its end.")
    record_audit(db, actor, AuditAction.read, "audit_log", detail=f"{purpose}: {query.describe()}")
    await db.commit()
    statement = select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit)
    if query.username:
        statement = statement.where(AuditEvent.username == query.username.strip().lower())
    if query.patient_id is not None:
        statement = statement.where(AuditEvent.patient_id == query.patient_id)
    if query.action:
        statement = statement.where(AuditEvent.action == query.action)
    zone = clock_of(db).tzinfo
    if query.start:
        statement = statement.where(
            col(AuditEvent.at) >= datetime.combine(query.start, time.min, tzinfo=zone)
        )
    if query.end:
        day_after = datetime.combine(query.end + timedelta(days=1), time.min, tzinfo=zone)
        statement = statement.where(col(AuditEvent.at) < day_after)
    return list((await db.exec(statement)).all())


AUDIT_CSV_COLUMNS = [
    "at",
    "username",
    "role",
    "action",
    "entity",
    "entity id",
    "patient id",
    "outcome",
    "device",
    "detail",
]


def audit_csv(events: list[AuditEvent], local: Callable[[datetime], datetime]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(AUDIT_CSV_COLUMNS)
    for e in events:
        row = [local(e.at).isoformat(timespec="seconds"), e.username, e.role, e.action, e.entity_type]
        row += [e.entity_id, e.patient_id or "", e.outcome, e.device, e.detail]
        writer.writerow(spreadsheet_safe(cell) for cell in row)
    return out.getvalue()
