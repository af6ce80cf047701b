"""Administering the hospital's units: create and rename them, their rooms, and who works on each.

Codes (unit) and names (room, within its unit) are unique by the database's constraints: a second one
is refused with a 409 however many tablets try at once. Rooms are never renamed or deleted, only taken
out of use, so the room a patient lies in (`Patient.room`, its name) always names one of the unit's rooms.
A change of a person's units closes their sockets (as a sign-out does on every instance): their tablets
go back to their home screen, now scoped by the new units.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.auth.models import User, UserUnit
from server.changes import Change, View, announce
from server.errors import Conflict, InvalidInput, NotFound
from server.patients.models import Patient, Room, Unit


@dataclass
class UnitOverview:
    """One unit as the administrator manages it: its rooms, its staff, how many patients lie there."""

    unit: Unit
    rooms: list[Room] = field(default_factory=list)
    staff: list[User] = field(default_factory=list)
    patients: int = 0


def _text(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"Give the {what}.")
    return value


async def get_unit(db: AsyncSession, unit_id: int) -> Unit:
    unit = await db.get(Unit, unit_id)
    if unit is None:
        raise NotFound("No such unit.")
    return unit


async def units_of(db: AsyncSession, unit_ids: list[int]) -> list[Unit]:
    return list(
        (await db.exec(select(Unit).where(col(Unit.id).in_(unit_ids)).order_by(col(Unit.name)))).all()
    )


async def rooms_of(db: AsyncSession, unit_ids: list[int], *, active_only: bool = False) -> list[Room]:
    statement = (
        select(Room).where(col(Room.unit_id).in_(unit_ids)).order_by(col(Room.unit_id), col(Room.name))
    )
    if active_only:
        statement = statement.where(col(Room.active).is_(True))
    return list((await db.exec(statement)).all())


async def list_units(db: AsyncSession, actor: Actor) -> list[UnitOverview]:
    units = (await db.exec(select(Unit).order_by(col(Unit.name)))).all()
    ids = [u.id for u in units]
    rooms = await rooms_of(db, ids)  # type: ignore[arg-type]
    staff = (
        await db.exec(
            select(UserUnit.unit_id, User)  # type: ignore[call-overload]
            .join(User, col(User.id) == col(UserUnit.user_id))
            .where(col(UserUnit.unit_id).in_(ids))
            .order_by(col(User.full_name))
        )
    ).all()
    counts = (
        await db.exec(
            select(Patient.unit_id, Patient.id).where(  # type: ignore[call-overload]
                col(Patient.unit_id).in_(ids), col(Patient.discharged_at).is_(None)
            )
        )
    ).all()
    overviews = {u.id: UnitOverview(u) for u in units}
    for room in rooms:
        overviews[room.unit_id].rooms.append(room)
    for unit_id, user in staff:
        overviews[unit_id].staff.append(user)
    for unit_id, _ in counts:
        overviews[unit_id].patients += 1
    record_audit(db, actor, AuditAction.read, "Units", detail=f"{len(units)} units")
    await db.commit()
    return list(overviews.values())


async def active_users(db: AsyncSession) -> list[User]:
    return list(
        (await db.exec(select(User).where(col(User.active).is_(True)).order_by(col(User.full_name)))).all()
    )


async def _flush_or(db: AsyncSession, refusal: str) -> None:
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise Conflict(refusal) from None


async def create_unit(db: AsyncSession, actor: Actor, *, code: str, name: str) -> Unit:
    code, name = _text(code, "unit's code").upper(), _text(name, "unit's name")
    unit = Unit(code=code, name=name)
    db.add(unit)
    await _flush_or(
        db, f"A unit with the code {code} already exists; choose another code. Nothing was stored."
    )
    record_audit(db, actor, AuditAction.create, "Unit", unit.id, detail=f"{code} {name}")
    await db.commit()
    return unit


async def rename_unit(db: AsyncSession, actor: Actor, unit_id: int, *, code: str, name: str) -> Unit:
    unit = await get_unit(db, unit_id)
    code, name = _text(code, "unit's code").upper(), _text(name, "unit's name")
    before = f"{unit.code} {unit.name}"
    unit.code, unit.name = code, name
    db.add(unit)
    await _flush_or(
        db, f"A unit with the code {code} already exists; choose another code. Nothing was stored."
    )
    record_audit(db, actor, AuditAction.update, "Unit", unit_id, detail=f"{before} -> {code} {name}")
    await db.commit()
    return unit


async def add_room(db: AsyncSession, actor: Actor, unit_id: int, *, name: str) -> Room:
    unit = await get_unit(db, unit_id)
    room = Room(unit_id=unit_id, name=_text(name, "room's name"))
    db.add(room)
    await _flush_or(db, f"{unit.name} already has a room {room.name}. Nothing was stored.")
    record_audit(db, actor, AuditAction.create, "Room", room.id, detail=f"{unit.code} room {room.name}")
    await db.commit()
    return room


async def set_room_in_use(
    db: AsyncSession, actor: Actor, unit_id: int, room_id: int, *, active: bool
) -> Room:
    """Take a room out of use (admission no longer offers it; patients already there stay) or back."""
    room = await db.get(Room, room_id)
    if room is None or room.unit_id != unit_id:
        raise NotFound("No such room on this unit.")
    if room.active != active:
        room.active = active
        db.add(room)
        detail = f"room {room.name} {'back in use' if active else 'out of use'}"
        record_audit(db, actor, AuditAction.update, "Room", room_id, detail=detail)
    await db.commit()
    return room


async def _user(db: AsyncSession, user_id: int) -> User:
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


def _units_changed(db: AsyncSession, user_id: int) -> None:
    """The person's open sockets close (on every instance) and reopen scoped by their new units."""
    announce(db, Change("units_changed", frozenset({View.sign_in}), user_id=user_id))


async def assign_staff(db: AsyncSession, actor: Actor, unit_id: int, user_id: int) -> User:
    """Add a person to a unit's staff; adding them again changes nothing."""
    unit, user = await get_unit(db, unit_id), await _user(db, user_id)
    if await db.get(UserUnit, (user_id, unit_id)) is None:
        db.add(UserUnit(user_id=user_id, unit_id=unit_id))
        try:
            await db.flush()
        except IntegrityError:
            await db.rollback()
            return user
        record_audit(db, actor, AuditAction.create, "UserUnit", f"{user_id}/{unit_id}",
                     detail=f"{user.username} works on {unit.code}")  # fmt: skip
        _units_changed(db, user_id)
    await db.commit()
    return user


async def remove_staff(db: AsyncSession, actor: Actor, unit_id: int, user_id: int) -> User:
    """Take a person off a unit's staff; they no longer see its patients (from their next request)."""
    unit, user = await get_unit(db, unit_id), await _user(db, user_id)
    link = await db.get(UserUnit, (user_id, unit_id))
    if link is not None:
        await db.delete(link)
        record_audit(db, actor, AuditAction.delete, "UserUnit", f"{user_id}/{unit_id}",
                     detail=f"{user.username} no longer works on {unit.code}")  # fmt: skip
        _units_changed(db, user_id)
    await db.commit()
    return user
