"""Admission, transfer and discharge: how patients come onto a unit, move between units, and leave.

A nurse does these on their own units (a transfer is done by the sending unit), an administrator on any.
The MRN is unique in the hospital by the database's unique index, not by a look before the insert: of
twenty admissions of one MRN at once, one is stored and the others get a 409. Each write is audited and
announced in its transaction: admission to the unit's screens; a transfer to both units' (the old unit's
tablets drop the card, the new unit's gain it); a discharge to the unit's (its tablets drop the card).
A patient with a massage session open is neither transferred nor discharged (409): the therapist
finishes or stops the session first, so no record is left half-charted on a patient who has gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.auth.models import Role
from server.changes import PATIENT_VIEWS, View, record_change
from server.clock import clock_of
from server.errors import Conflict, InvalidInput, NotAllowed, NotFound
from server.patients.models import DEMO_MRN_PREFIX, MassageOrder, OrderStatus, Patient, Room, Unit
from server.patients.service import check_admitted
from server.sessions.models import OPEN_STATES, MassageSession

LEAVING_VIEWS = frozenset({View.worklist_card, View.board_row})
"""What a transfer makes stale on the unit the patient left: its worklists and boards drop the card."""
OLDEST_AGE_YEARS = 130


@dataclass
class AdmissionDetails:
    """What the admitting nurse fills in; checked here before anything is stored."""

    mrn: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    unit_id: int | None = None
    room: str = ""
    comfort_care: bool = False
    allergies: str = ""
    isolation: str = ""
    fall_risk: bool = False
    cannot_self_report: bool = False
    language: str = "English"


@dataclass(frozen=True)
class UnitRooms:
    """A unit someone may admit to, with the rooms admission offers."""

    unit: Unit
    rooms: list[Room]


def _required(value: str, what: str) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput(f"Give the patient's {what}.")
    return value


def check_mrn(mrn: str) -> str:
    mrn = _required(mrn, "MRN")
    if mrn.upper().startswith(DEMO_MRN_PREFIX):
        raise InvalidInput(
            f"MRNs starting with {DEMO_MRN_PREFIX} belong to the synthetic demo data; admit a real patient "
            "with their hospital MRN. Nothing was stored."
        )
    return mrn


def check_birth_date(born: date | None, today: date) -> date:
    if born is None:
        raise InvalidInput("Give the patient's date of birth, like 1950-01-31.")
    if born > today:
        raise InvalidInput("The date of birth is in the future.")
    if born < today - timedelta(days=366 * OLDEST_AGE_YEARS):
        raise InvalidInput(f"The date of birth is more than {OLDEST_AGE_YEARS} years ago; check it.")
    return born


def may_manage(actor: Actor, unit_id: int) -> bool:
    """Nurses admit, transfer and discharge on their own units; administrators on every unit."""
    return actor.role == Role.admin or (actor.role == Role.nurse and actor.works_on(unit_id))


async def _unit(db: AsyncSession, unit_id: int | None) -> Unit:
    unit = await db.get(Unit, unit_id) if unit_id is not None else None
    if unit is None:
        raise InvalidInput("Choose the unit.")
    return unit


async def _room_of(db: AsyncSession, unit: Unit, name: str) -> str:
    name = (name or "").strip()
    room = (await db.exec(select(Room).where(Room.unit_id == unit.id, Room.name == name))).first()
    if room is None or not room.active:
        raise InvalidInput(f"Choose one of the rooms in use on {unit.name}.")
    return room.name


async def admission_choices(db: AsyncSession, actor: Actor) -> list[UnitRooms]:
    """The units this person may admit to, each with its rooms in use."""
    units = [
        u for u in (await db.exec(select(Unit).order_by(col(Unit.name)))).all() if may_manage(actor, u.id)
    ]  # type: ignore[arg-type]
    rooms = (
        await db.exec(
            select(Room)
            .where(col(Room.unit_id).in_([u.id for u in units]), col(Room.active).is_(True))
            .order_by(col(Room.name))
        )
    ).all()
    return [UnitRooms(u, [r for r in rooms if r.unit_id == u.id]) for u in units]


async def transfer_choices(db: AsyncSession) -> list[UnitRooms]:
    """Where a patient can go: any unit's rooms in use (the receiving unit need not be one's own)."""
    units = (await db.exec(select(Unit).order_by(col(Unit.name)))).all()
    rooms = (await db.exec(select(Room).where(col(Room.active).is_(True)).order_by(col(Room.name)))).all()
    return [UnitRooms(u, [r for r in rooms if r.unit_id == u.id]) for u in units]


async def admit_patient(db: AsyncSession, actor: Actor, details: AdmissionDetails) -> Patient:
    """Admit a patient to a room of a unit; a second admission of the same MRN is refused (409)."""
    clock = clock_of(db)
    mrn = check_mrn(details.mrn)
    given, family = _required(details.given_name, "given name"), _required(details.family_name, "family name")
    born = check_birth_date(details.date_of_birth, clock.today())
    unit = await _unit(db, details.unit_id)
    if not may_manage(actor, unit.id):  # type: ignore[arg-type]
        raise NotAllowed(f"You do not work on {unit.name}; admit patients to your own units.")
    room = await _room_of(db, unit, details.room)
    patient = Patient(
        mrn=mrn,
        given_name=given,
        family_name=family,
        date_of_birth=born,
        unit_id=unit.id,  # type: ignore[arg-type]
        room=room,
        comfort_care=details.comfort_care,
        non_verbal=details.cannot_self_report,
        allergies=(details.allergies or "").strip(),
        isolation=(details.isolation or "").strip(),
        fall_risk=details.fall_risk,
        language=(details.language or "").strip() or "English",
        pain_scale="painad" if details.cannot_self_report else "nrs",
        admitted_at=clock.now(),
    )
    db.add(patient)
    try:
        await db.flush()
    except IntegrityError:
        await db.rollback()
        raise Conflict(
            f"A patient with MRN {mrn} is already in Bedside (admitted now or before). Nothing was stored."
        ) from None
    await record_change(db, "admitted", unit_id=unit.id, patient_id=patient.id)  # type: ignore[arg-type]
    record_audit(db, actor, AuditAction.create, "Patient", patient.id, patient_id=patient.id,
                 detail=f"admitted to {unit.code} room {room}")  # fmt: skip
    await db.commit()
    return patient


async def patient_to_manage(db: AsyncSession, actor: Actor, patient_id: int, *, purpose: str) -> Patient:
    """The patient, if this person may admit, transfer or discharge on their unit; a refusal is audited."""
    patient = await db.get(Patient, patient_id)
    if patient is None:
        raise NotFound("No such patient.")
    if not may_manage(actor, patient.unit_id):
        record_audit(
            db, actor, AuditAction.read, "Admission", patient_id, patient_id=patient_id, outcome="denied"
        )
        await db.commit()
        raise NotAllowed("This patient is not on one of your units.")
    if purpose == "read":
        record_audit(db, actor, AuditAction.read, "Admission", patient_id, patient_id=patient_id)
        await db.commit()
    return patient


async def _refuse_if_session_open(db: AsyncSession, patient: Patient, what: str) -> None:
    open_session = (
        await db.exec(
            select(MassageSession).where(
                MassageSession.patient_id == patient.id, col(MassageSession.state).in_(list(OPEN_STATES))
            )
        )
    ).first()
    if open_session is not None:
        raise Conflict(
            f"A massage session is open for this patient ({open_session.state.replace('_', ' ')}); the "
            f"therapist finishes or stops it before the patient is {what}. Nothing was changed."
        )


async def transfer_patient(
    db: AsyncSession, actor: Actor, patient_id: int, *, unit_id: int | None, room: str
) -> Patient:
    """Move the patient to a room of another unit (or another room of theirs): the unit they leave drops
    the card at once, the unit they join shows it. Done by the sending unit's nurse or an administrator."""
    patient = await patient_to_manage(db, actor, patient_id, purpose="transfer")
    check_admitted(patient)
    unit = await _unit(db, unit_id)
    new_room = await _room_of(db, unit, room)
    if (patient.unit_id, patient.room) == (unit.id, new_room):
        raise InvalidInput(f"The patient is already in room {new_room} on {unit.name}.")
    await _refuse_if_session_open(db, patient, "transferred")
    old_unit = await db.get(Unit, patient.unit_id)
    before = f"{old_unit.code if old_unit else patient.unit_id} room {patient.room}"
    patient.unit_id, patient.room = unit.id, new_room  # type: ignore[assignment]
    db.add(patient)
    await db.flush()
    if old_unit is not None and old_unit.id != unit.id:
        await record_change(
            db, "transferred", unit_id=old_unit.id, patient_id=patient_id, views=LEAVING_VIEWS
        )  # type: ignore[arg-type]
        await record_change(db, "transferred", unit_id=unit.id, patient_id=patient_id)  # type: ignore[arg-type]
    else:
        await record_change(db, "room_changed", unit_id=unit.id, patient_id=patient_id)  # type: ignore[arg-type]
    record_audit(db, actor, AuditAction.update, "Patient", patient_id, patient_id=patient_id,
                 detail=f"transferred from {before} to {unit.code} room {new_room}")  # fmt: skip
    await db.commit()
    return patient


async def discharge_patient(db: AsyncSession, actor: Actor, patient_id: int) -> Patient:
    """The patient leaves every worklist and board at once, their live orders end today, and the record
    stays readable by their unit's care team. Refused while a massage session is open."""
    clock = clock_of(db)
    patient = await patient_to_manage(db, actor, patient_id, purpose="discharge")
    check_admitted(patient)
    await _refuse_if_session_open(db, patient, "discharged")
    today = clock.today()
    live = await db.exec(
        select(MassageOrder).where(
            MassageOrder.patient_id == patient_id,
            col(MassageOrder.status).in_([OrderStatus.active, OrderStatus.on_hold]),
        )
    )
    for order in live.all():
        order.status = OrderStatus.discontinued
        if order.end_date is None or order.end_date > today:
            order.end_date = max(today, order.start_date)
        db.add(order)
        record_audit(db, actor, AuditAction.update, "MassageOrder", order.id, patient_id=patient_id,
                     detail="order discontinued at discharge")  # fmt: skip
    patient.discharged_at = clock.now()
    db.add(patient)
    await record_change(db, "discharged", unit_id=patient.unit_id, patient_id=patient_id, views=PATIENT_VIEWS)
    record_audit(
        db, actor, AuditAction.update, "Patient", patient_id, patient_id=patient_id, detail="discharged"
    )
    await db.commit()
    return patient
