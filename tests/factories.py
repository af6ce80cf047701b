"""Small factories for test data, written straight to a test database in the test's own event loop."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import Role, User, UserUnit
from server.auth.passwords import hash_password
from server.clock import Clock
from server.patients.models import MassageOrder, Patient, SiteRestriction, Unit

PASSWORD = "correct horse battery"
_numbers = itertools.count(1)


async def make_unit(db: AsyncSession, code: str, name: str) -> Unit:
    unit = Unit(code=code, name=name)
    db.add(unit)
    await db.flush()
    return unit


async def make_user(db: AsyncSession, clock: Clock, username: str, role: Role, units: list[Unit]) -> User:
    user = User(
        created_at=clock.now(),
        username=username,
        full_name=username.title(),
        role=role,
        password_hash=hash_password(PASSWORD, cheap=True),
    )
    db.add(user)
    await db.flush()
    db.add_all(UserUnit(user_id=user.id, unit_id=u.id) for u in units)  # type: ignore[arg-type]
    return user


async def make_patient(
    db: AsyncSession,
    clock: Clock,
    unit: Unit,
    *,
    family: str,
    with_order: bool = True,
    restrictions: tuple[tuple[str, str, str], ...] = (),
    **fields: object,
) -> Patient:
    n = next(_numbers)
    patient = Patient(
        mrn=f"T-{n:05d}",
        given_name="Test",
        family_name=family,
        date_of_birth=date(1950, 1, n % 28 + 1),
        unit_id=unit.id,
        room=str(400 + n),
        created_at=clock.now(),
        **fields,
    )  # type: ignore[arg-type]
    db.add(patient)
    await db.flush()
    if with_order:
        today = clock.today()
        order = MassageOrder(
            patient_id=patient.id,
            ordering_clinician_name="Dr Test",
            indication="pain",  # type: ignore[arg-type]
            allowed_techniques=["Swedish"],
            max_pressure=2,
            start_date=today - timedelta(days=1),
            end_date=today + timedelta(days=7),
            created_at=clock.now(),
        )
        db.add(order)
        await db.flush()
        db.add_all(
            SiteRestriction(order_id=order.id, region=r, side=s, reason=why)  # type: ignore[arg-type]
            for r, s, why in restrictions
        )
    return patient


@dataclass
class World:
    """Two units; one user per role on 4 West; a second therapist on Hospice House only."""

    unit_ids: dict[str, int] = field(default_factory=dict)
    patient_ids: dict[str, int] = field(default_factory=dict)


async def build_world(db: AsyncSession, clock: Clock) -> World:
    west = await make_unit(db, "4W", "4 West Oncology")
    hospice = await make_unit(db, "HH", "Hospice House")
    for username, role in [
        ("therapist", Role.therapist),
        ("nurse", Role.nurse),
        ("hospice", Role.hospice),
        ("physician", Role.physician),
    ]:
        await make_user(db, clock, username, role, [west])
    await make_user(db, clock, "admin", Role.admin, [])
    await make_user(db, clock, "colleague", Role.therapist, [west])
    await make_user(db, clock, "hh_therapist", Role.therapist, [hospice])
    await make_user(db, clock, "hh_nurse", Role.nurse, [hospice])
    world = World(unit_ids={"4W": west.id, "HH": hospice.id})  # type: ignore[dict-item]
    ids = world.patient_ids
    restricted = (("forearm", "left", "IV site"),)
    ids["ada"] = (
        await make_patient(db, clock, west, family="Ashby", allergies="Latex", restrictions=restricted)
    ).id  # type: ignore[assignment]
    ids["ben"] = (await make_patient(db, clock, west, family="Brook")).id  # type: ignore[assignment]
    ids["no_order"] = (await make_patient(db, clock, west, family="Noorder", with_order=False)).id  # type: ignore[assignment]
    ids["quiet"] = (
        await make_patient(db, clock, west, family="Quiet", non_verbal=True, pain_scale="painad")
    ).id  # type: ignore[assignment]
    ids["comfort"] = (await make_patient(db, clock, west, family="Comfort", comfort_care=True)).id  # type: ignore[assignment]
    ids["hh"] = (await make_patient(db, clock, hospice, family="Hollow", comfort_care=True)).id  # type: ignore[assignment]
    await db.commit()
    return world
