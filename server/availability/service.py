"""Nurses mark a patient unavailable or available again; each change is numbered for its unit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.availability.models import AvailabilityFlag, FlagKind
from server.changes import record_change
from server.errors import Conflict, InvalidInput, NotFound
from server.patients.models import Patient
from server.patients.service import check_admitted, get_patient_for

NOTE_MAX = 200


@dataclass(frozen=True)
class AvailabilityChange:
    """What changed, so the caller can announce it after the commit."""

    patient_id: int
    unit_id: int
    changed: bool
    flag: AvailabilityFlag | None


def parse_flag_kind(kind: str | None) -> FlagKind:
    if not kind:
        raise InvalidInput("Choose why the patient is unavailable (for example Procedure or Sleeping).")
    try:
        return FlagKind(kind)
    except ValueError:
        raise InvalidInput(f"{kind!r} is not a kind of unavailability.") from None


async def active_flags(db: AsyncSession, patient_id: int, now: datetime) -> list[AvailabilityFlag]:
    rows = await db.exec(
        select(AvailabilityFlag).where(
            AvailabilityFlag.patient_id == patient_id, col(AvailabilityFlag.cleared_at).is_(None)
        )
    )
    return [flag for flag in rows.all() if flag.is_active(now)]


async def _close_flags_in_force(db: AsyncSession, actor: Actor, patient_id: int, now: datetime) -> None:
    """A new flag replaces the one in force (cleared by this nurse, now); one whose 'until' has passed
    but that the sweep has not reached yet is closed at its own 'until' time (by no one)."""
    rows = await db.exec(
        select(AvailabilityFlag).where(
            AvailabilityFlag.patient_id == patient_id, col(AvailabilityFlag.cleared_at).is_(None)
        )
    )
    for previous in rows.all():
        if previous.is_active(now):
            previous.cleared_at, previous.cleared_by_id = now, actor.user_id
        else:
            previous.cleared_at = previous.until
        db.add(previous)


async def mark_unavailable(
    db: AsyncSession,
    actor: Actor,
    patient_id: int,
    *,
    kind: str | None,
    until: datetime | None,
    note: str,
    now: datetime,
) -> AvailabilityChange:
    """Set a flag; one that was already active is replaced (cleared by this nurse, now)."""
    flag_kind = parse_flag_kind(kind)
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput(f"The note is {len(note)} characters; keep it under {NOTE_MAX}.")
    if until is not None and until <= now:
        raise InvalidInput("The 'until' time has already passed; choose a later time or leave it empty.")
    patient = await get_patient_for(db, actor, patient_id)
    check_admitted(patient)
    await _close_flags_in_force(db, actor, patient_id, now)
    flag = AvailabilityFlag(
        patient_id=patient_id, kind=flag_kind, note=note, until=until, set_by_id=actor.user_id, set_at=now
    )
    db.add(flag)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise Conflict(
            "Another flag was set for this patient at the same moment; the board shows it now. "
            "Nothing was stored: flag again to replace it."
        ) from None
    await record_change(db, "availability", unit_id=patient.unit_id, patient_id=patient_id)
    record_audit(db, actor, AuditAction.create, "Flag", flag.id, patient_id=patient_id, detail=flag_kind)
    await db.commit()
    return AvailabilityChange(patient_id, patient.unit_id, True, flag)


async def mark_available(
    db: AsyncSession, actor: Actor, patient_id: int, *, now: datetime
) -> AvailabilityChange:
    """Clear every active flag; marking an available patient available again changes nothing."""
    patient = await get_patient_for(db, actor, patient_id)
    cleared = await active_flags(db, patient_id, now)
    for flag in cleared:
        flag.cleared_at, flag.cleared_by_id = now, actor.user_id
        db.add(flag)
        record_audit(db, actor, AuditAction.update, "Flag", flag.id, patient_id=patient_id, detail="cleared")
    if cleared:
        await record_change(db, "availability", unit_id=patient.unit_id, patient_id=patient_id)
    await db.commit()
    return AvailabilityChange(patient_id, patient.unit_id, bool(cleared), None)


async def clear_flag(db: AsyncSession, actor: Actor, flag_id: int, *, now: datetime) -> AvailabilityChange:
    flag = await db.get(AvailabilityFlag, flag_id)
    if flag is None:
        raise NotFound("No such availability flag.")
    patient = await get_patient_for(db, actor, flag.patient_id)
    changed = flag.is_active(now)
    if changed:
        flag.cleared_at, flag.cleared_by_id = now, actor.user_id
        db.add(flag)
        await record_change(db, "availability", unit_id=patient.unit_id, patient_id=patient.id)  # type: ignore[arg-type]
        record_audit(db, actor, AuditAction.update, "Flag", flag.id, patient_id=patient.id, detail="cleared")
    await db.commit()
    return AvailabilityChange(flag.patient_id, patient.unit_id, changed, flag)


def _expired_unannounced(now: datetime) -> tuple[ColumnElement[bool], ...]:
    return (
        col(AvailabilityFlag.until) <= now,
        col(AvailabilityFlag.cleared_at).is_(None),
        col(AvailabilityFlag.expiry_announced_at).is_(None),
    )


async def any_flag_expired(db: AsyncSession, now: datetime) -> bool:
    """A read before the sweep's write: an idle sweep then never takes SQLite's write lock."""
    found = await db.exec(select(AvailabilityFlag.id).where(*_expired_unannounced(now)).limit(1))
    return found.first() is not None


async def announce_expired_flags(db: AsyncSession, now: datetime) -> list[int]:
    """Claim flags whose 'until' time has passed and that no instance has announced yet.

    The conditional UPDATE lets exactly one instance win each flag, so its expiry is numbered and
    pushed once however many instances sweep. Returns the patients whose availability changed.
    """
    due = await db.exec(select(AvailabilityFlag).where(*_expired_unannounced(now)))
    expired: list[int] = []
    for flag in due.all():
        claimed = await db.exec(  # type: ignore[call-overload]
            update(AvailabilityFlag)
            .where(col(AvailabilityFlag.id) == flag.id, col(AvailabilityFlag.expiry_announced_at).is_(None))
            .values(expiry_announced_at=now, cleared_at=flag.until)
        )
        if claimed.rowcount != 1:
            continue
        patient = await db.get(Patient, flag.patient_id)
        if patient is not None:
            await record_change(db, "flag_expired", unit_id=patient.unit_id, patient_id=flag.patient_id)
            expired.append(flag.patient_id)
    await db.commit()
    return expired
