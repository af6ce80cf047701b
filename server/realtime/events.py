"""Numbering a unit's events inside the transaction of the change (publishing happens after commit)."""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel.ext.asyncio.session import AsyncSession

from server.clock import clock_of
from server.patients.models import Unit
from server.realtime.models import UnitEvent


async def record_unit_event(db: AsyncSession, unit_id: int, patient_id: int | None, kind: str) -> int:
    """Take the unit's next number atomically (safe on SQLite and PostgreSQL) and log the event."""
    result = await db.exec(
        update(Unit)
        .where(Unit.id == unit_id)
        .values(last_event_seq=Unit.last_event_seq + 1)  # type: ignore[arg-type]
        .returning(Unit.last_event_seq)
    )
    seq = int(result.scalar_one())
    db.add(UnitEvent(unit_id=unit_id, seq=seq, patient_id=patient_id, kind=kind, at=clock_of(db).now()))
    return seq
