"""JSON API: patients of a unit with their availability now."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from litestar import Controller, get
from litestar.params import FromPath

from server.auth.policy import requires
from server.availability.models import AvailabilityFlag
from server.openapi import api
from server.patients import service
from server.web import AppClock, DbSession, SignedIn


class FlagOut(msgspec.Struct):
    id: int
    patient_id: int
    kind: str
    note: str
    until: datetime | None
    set_at: datetime
    cleared_at: datetime | None
    active: bool


class PatientOut(msgspec.Struct):
    id: int
    mrn: str
    name: str
    date_of_birth: date
    room: str
    available: bool
    flag: FlagOut | None
    last_pain: int | None


def flag_out(flag: AvailabilityFlag, now: datetime) -> FlagOut:
    return msgspec.convert({**flag.model_dump(), "active": flag.is_active(now)}, FlagOut)


class PatientApi(Controller):
    path = "/api/units/{unit_id:int}/patients"
    guards = [requires("chart.read")]

    @get("/", responses=api(404))
    async def unit_patients(
        self, db: DbSession, actor: SignedIn, clock: AppClock, unit_id: FromPath[int]
    ) -> list[PatientOut]:
        now, today = clock.reading()
        _, cards = await service.unit_board(db, actor, unit_id, now, today)
        return [
            PatientOut(
                id=c.patient.id,  # type: ignore[arg-type]
                mrn=c.patient.mrn,
                name=c.patient.display_name,
                date_of_birth=c.patient.date_of_birth,
                room=c.patient.room,
                available=c.available,
                flag=flag_out(c.flag, now) if c.flag else None,
                last_pain=c.last_pain.value if c.last_pain else None,
            )
            for c in cards
        ]
