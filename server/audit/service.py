"""The one audit call. Services call it inside the transaction of the read or write it records."""

from __future__ import annotations

from enum import StrEnum

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.models import AuditEvent
from server.auth.actor import Actor
from server.clock import clock_of


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


async def recent_audit_events(db: AsyncSession, actor: Actor, limit: int = 200) -> list[AuditEvent]:
    """Newest first; reading the audit log is itself audited."""
    record_audit(db, actor, AuditAction.read, "audit_log", detail=f"last {limit}")
    await db.commit()
    rows = await db.exec(select(AuditEvent).order_by(col(AuditEvent.id).desc()).limit(limit))
    return list(rows.all())
