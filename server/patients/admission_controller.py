"""Admission, transfer and discharge pages: plain forms that post and redirect (they work without script)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, get, post
from litestar.params import FromPath, FromQuery, URLEncodedBody
from litestar.response import Redirect, Template

from server.auth.policy import requires
from server.errors import InvalidInput
from server.openapi import page
from server.patients import admission
from server.patients.admission import AdmissionDetails
from server.patients.models import Unit
from server.web import DbSession, SignedIn, parse_day


def _unit_id(value: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput("Choose the unit.")
    return int(value)


def _ticked(value: str) -> bool:
    return value in ("on", "yes", "true", "1")


def split_destination(value: str) -> tuple[int | None, str]:
    """A unit and room chosen together from one list, as "unit_id:room"."""
    unit, _, room = (value or "").partition(":")
    return _unit_id(unit), room


@dataclass
class AdmissionForm:
    mrn: str = ""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: str = ""
    unit_id: str = ""
    room: str = ""
    comfort_care: str = ""
    allergies: str = ""
    isolation: str = ""
    fall_risk: str = ""
    cannot_self_report: str = ""
    language: str = ""
    destination: str = ""
    """The page's one choice of unit and room, "unit_id:room"; else `unit_id` and `room`."""

    def details(self) -> AdmissionDetails:
        unit_id, room = split_destination(self.destination) if self.destination else (None, self.room)
        return AdmissionDetails(
            mrn=self.mrn,
            given_name=self.given_name,
            family_name=self.family_name,
            date_of_birth=parse_day(self.date_of_birth, "birth"),
            unit_id=unit_id if self.destination else _unit_id(self.unit_id),
            room=room,
            comfort_care=_ticked(self.comfort_care),
            allergies=self.allergies,
            isolation=self.isolation,
            fall_risk=_ticked(self.fall_risk),
            cannot_self_report=_ticked(self.cannot_self_report),
            language=self.language,
        )


@dataclass
class TransferForm:
    destination: str = ""
    """The unit and room as one choice, "unit_id:room" (one select lists every unit's rooms)."""


def _admission_page(patient_id: int) -> Redirect:
    return Redirect(f"/patients/{patient_id}/admission", status_code=303)


class AdmissionPages(Controller):
    path = "/patients"

    @get("/admit", guards=[requires("patients.admit")], responses=page())
    async def admission_form(
        self, db: DbSession, actor: SignedIn, unit: FromQuery[str | None] = None
    ) -> Template:
        choices = await admission.admission_choices(db, actor)
        if not choices:
            raise InvalidInput("You are not on a unit you may admit to; ask an administrator.")
        chosen = _unit_id(unit or "") if (unit or "").isdigit() else None
        return Template("pages/admit.html", context={"choices": choices, "chosen": chosen})

    @post("/admit", guards=[requires("patients.admit")], status_code=303, responses=page(409, 422))
    async def admit(self, db: DbSession, actor: SignedIn, data: URLEncodedBody[AdmissionForm]) -> Redirect:
        patient = await admission.admit_patient(db, actor, data.details())
        return _admission_page(patient.id)  # type: ignore[arg-type]

    @get("/{patient_id:int}/admission", guards=[requires("patients.transfer")], responses=page(404))
    async def admission_page(self, db: DbSession, actor: SignedIn, patient_id: FromPath[int]) -> Template:
        """The patient's place in the hospital: unit and room, and the transfer and discharge actions."""
        patient = await admission.patient_to_manage(db, actor, patient_id, purpose="read")
        unit = await db.get(Unit, patient.unit_id)
        choices = await admission.transfer_choices(db)
        context = {"patient": patient, "unit": unit, "choices": choices}
        return Template("pages/admission.html", context=context)

    @post(
        "/{patient_id:int}/transfer",
        guards=[requires("patients.transfer")],
        status_code=303,
        responses=page(404, 409, 422),
    )
    async def transfer(
        self, db: DbSession, actor: SignedIn, patient_id: FromPath[int], data: URLEncodedBody[TransferForm]
    ) -> Redirect:
        unit_id, room = split_destination(data.destination)
        await admission.transfer_patient(db, actor, patient_id, unit_id=unit_id, room=room)
        return _admission_page(patient_id)

    @post(
        "/{patient_id:int}/discharge",
        guards=[requires("patients.discharge")],
        status_code=303,
        responses=page(404, 409),
    )
    async def discharge(self, db: DbSession, actor: SignedIn, patient_id: FromPath[int]) -> Redirect:
        await admission.discharge_patient(db, actor, patient_id)
        return _admission_page(patient_id)
