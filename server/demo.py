"""Synthetic demo data: invented names, never real people. Idempotent: a second run changes nothing."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import col, not_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.models import Role, User, UserUnit
from server.auth.passwords import hash_password
from server.clock import Clock
from server.db import make_engine, make_session_maker
from server.patients.models import DEMO_MRN_PREFIX, MassageOrder, Patient, Room, SiteRestriction, Unit
from server.sessions.models import MassageSession, Score, SessionState
from server.sessions.screening import SCREENING_ITEMS

DEMO_PASSWORD = "bedside-demo"
"""Every demo account's password; printed by the run command. Demo data only."""

UNITS = [("4W", "4 West Oncology"), ("HH", "Hospice House")]

USERS = [
    ("tara", "Tara Quill", Role.therapist, ["4W", "HH"]),
    ("nina", "Nina Okafor", Role.nurse, ["4W", "HH"]),
    ("hugo", "Hugo Lindqvist", Role.hospice, ["HH", "4W"]),
    ("priya", "Dr Priya Castellan", Role.physician, ["4W", "HH"]),
    ("ada", "Ada Fenwick", Role.admin, []),
]


@dataclass(frozen=True)
class DemoPatient:
    mrn: str
    given: str
    family: str
    born: date
    unit: str
    room: str
    comfort_care: bool = False
    non_verbal: bool = False
    allergies: str = ""
    isolation: str = ""
    fall_risk: bool = False
    indication: str = "pain"
    techniques: tuple[str, ...] = ("Swedish",)
    max_pressure: int = 2
    restrictions: tuple[tuple[str, str, str], ...] = ()


DEMO_PATIENTS_FILE = Path(__file__).with_name("demo_patients.toml")


def _frozen(value: object) -> object:
    """TOML lists as the tuples DemoPatient holds (techniques, and restrictions as triples)."""
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def load_demo_patients(path: Path = DEMO_PATIENTS_FILE) -> list[DemoPatient]:
    """The invented patients, kept as data (server/demo_patients.toml) rather than code."""
    rows = tomllib.loads(path.read_text())["patient"]
    return [DemoPatient(**{key: _frozen(value) for key, value in row.items()}) for row in rows]


PATIENTS = load_demo_patients()


class DemoRefused(Exception):
    """The database holds real data: demo data never goes next to it."""


async def check_no_real_data(db: AsyncSession) -> bool:
    """Whether the demo data is already there. Refuses (DemoRefused) a database that holds any patient
    whose MRN does not start with DEMO-, or units and accounts without the demo's patients: demo and real
    data never mix, so nobody reads a synthetic patient as a real one or the other way round."""
    real = await db.exec(
        select(Patient.mrn).where(not_(col(Patient.mrn).startswith(DEMO_MRN_PREFIX))).limit(1)
    )
    if real.first() is not None:
        raise DemoRefused(
            "This database holds real patients (MRNs not starting with DEMO-): demo data is never added "
            "to it. Use an empty database for the demo (another DATABASE_URL or BEDSIDE_DATA_DIR)."
        )
    demo = await db.exec(select(Patient.id).where(col(Patient.mrn).startswith(DEMO_MRN_PREFIX)).limit(1))
    if demo.first() is not None:
        return True
    if (await db.exec(select(Unit.id).limit(1))).first() or (await db.exec(select(User.id).limit(1))).first():
        raise DemoRefused(
            "This database already holds units or accounts that are not the demo's: demo data goes only "
            "into an empty database (another DATABASE_URL or BEDSIDE_DATA_DIR)."
        )
    return False


async def create_demo_data(database_url: str, clock: Clock) -> str:
    """Demo data around the clock's today: orders running, and comfort-care history in the days before.
    Raises DemoRefused on a database with real data (`check_no_real_data`)."""
    engine = make_engine(database_url)
    now = clock.now()
    try:
        async with make_session_maker(engine, clock)() as db:
            if await check_no_real_data(db):
                return demo_banner(created=False)
            units = {code: Unit(code=code, name=name) for code, name in UNITS}
            db.add_all(units.values())
            await db.flush()
            password_hash = hash_password(DEMO_PASSWORD)
            physician = therapist = None
            for username, name, role, unit_codes in USERS:
                user = User(
                    username=username,
                    full_name=name,
                    role=role,
                    password_hash=password_hash,
                    created_at=now,
                    demo=True,
                )
                db.add(user)
                await db.flush()
                physician = user if role == Role.physician else physician
                therapist = user if role == Role.therapist else therapist
                db.add_all(UserUnit(user_id=user.id, unit_id=units[c].id) for c in unit_codes)  # type: ignore[arg-type]
            rooms = sorted({(d.unit, d.room) for d in PATIENTS})
            db.add_all(Room(unit_id=units[code].id, name=room) for code, room in rooms)  # type: ignore[arg-type]
            today = clock.today()
            for d in PATIENTS:
                patient = Patient(
                    mrn=d.mrn,
                    given_name=d.given,
                    family_name=d.family,
                    date_of_birth=d.born,
                    unit_id=units[d.unit].id,
                    room=d.room,
                    comfort_care=d.comfort_care,
                    non_verbal=d.non_verbal,  # type: ignore[arg-type]
                    allergies=d.allergies,
                    isolation=d.isolation,
                    fall_risk=d.fall_risk,
                    pain_scale="painad" if d.non_verbal else "nrs",
                    admitted_at=now - timedelta(days=3),
                )
                db.add(patient)
                await db.flush()
                order = MassageOrder(
                    patient_id=patient.id,
                    ordering_clinician_id=physician.id if physician else None,  # type: ignore[arg-type]
                    ordering_clinician_name=physician.full_name if physician else "Ordering clinician",
                    indication=d.indication,
                    allowed_techniques=list(d.techniques),
                    frequency="daily",
                    duration_minutes=20,
                    max_pressure=d.max_pressure,
                    start_date=today - timedelta(days=3),
                    end_date=today + timedelta(days=14),
                    created_at=now,
                )
                db.add(order)
                await db.flush()
                db.add_all(
                    SiteRestriction(order_id=order.id, region=r, side=s, reason=why)  # type: ignore[arg-type]
                    for r, s, why in d.restrictions
                )
                if d.comfort_care and therapist is not None:
                    await add_past_sessions(db, patient, order, therapist.id, d.non_verbal, now)  # type: ignore[arg-type]
            await db.commit()
            return demo_banner(created=True)
    finally:
        await engine.dispose()


def demo_banner(*, created: bool) -> str:
    lines = [
        "Demo data " + ("created (synthetic patients, not real people)." if created else "already present."),
        f"Sign in with any of these accounts, password '{DEMO_PASSWORD}':",
    ]
    lines += [f"  {username:<6} {role.value:<10} {name}" for username, name, role, _ in USERS]
    return "\n".join(lines)


PAST_PAIN = ((7, 4, ""), (6, None, "asleep"), (8, 5, ""))
"""Three invented past sessions per comfort-care patient, so the demo comfort-care log has a history."""


async def add_past_sessions(
    db, patient: Patient, order: MassageOrder, therapist_id: int, observed: bool, now: datetime
) -> None:  # type: ignore[no-untyped-def]
    for days_ago, (pre, post, not_obtainable) in zip((3, 2, 1), PAST_PAIN, strict=True):
        start = now - timedelta(days=days_ago, hours=2)
        end = start + timedelta(minutes=20)
        session = MassageSession(
            patient_id=patient.id,
            order_id=order.id,
            therapist_id=therapist_id,  # type: ignore[arg-type]
            state=SessionState.completed,
            created_at=start,
            started_at=start,
            massage_ended_at=end,
            completed_at=end,
            signed_at=end,
            signed_by_id=therapist_id,
            active_seconds=20 * 60,
            screening=dict.fromkeys(SCREENING_ITEMS, "no"),
            screened_at=start,
            consent_by="patient",
            consent_at=start,
            techniques=order.allowed_techniques[:1],
            regions=["upper back"],
            pressure_used=1,
            position="bed-bound",
            response="fell asleep" if not_obtainable else "relaxed",
            soap_assessment="Settled well" if not not_obtainable else "Fell asleep during the massage",
        )
        db.add(session)
        await db.flush()
        scale = "painad" if observed else "nrs"
        for phase, value in (("pre", pre), ("post", post)):
            db.add(
                Score(
                    client_id=f"demo-{patient.mrn}-{days_ago}-{phase}",
                    patient_id=patient.id,  # type: ignore[arg-type]
                    session_id=session.id,  # type: ignore[arg-type]
                    phase=phase,
                    scale=scale,
                    value=value,
                    not_obtainable_reason=not_obtainable if phase == "post" else "",
                    recorded_by_id=therapist_id,
                    recorded_at=start if phase == "pre" else end,
                )
            )
