"""JSON API: admit, transfer and discharge patients (nurses on their units, administrators)."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from server.auth.policy import requires
from server.patients import admission
from server.patients.admission import AdmissionDetails
from server.patients.models import Patient
from server.units.api import refusals
from server.web import DbSession, SignedIn


class AdmissionIn(msgspec.Struct):
    mrn: str = ""
    """The hospital's MRN: unique, and never starting with DEMO- (the demo data's)."""
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    unit_id: int | None = None
    room: str = ""
    """The name of one of the unit's rooms in use."""
    comfort_care: bool = False
    allergies: str = ""
    isolation: str = ""
    fall_risk: bool = False
    cannot_self_report: bool = False
    """Pain is then scored on an observed scale (PAINAD)."""
    language: str = "English"


class TransferIn(msgspec.Struct):
    unit_id: int | None = None
    room: str = ""


class AdmittedOut(msgspec.Struct):
    id: int
    mrn: str
    given_name: str
    family_name: str
    date_of_birth: date
    unit_id: int
    room: str
    comfort_care: bool
    allergies: str
    isolation: str
    fall_risk: bool
    cannot_self_report: bool
    language: str
    admitted_at: datetime | None
    discharged_at: datetime | None


def admitted_out(patient: Patient) -> AdmittedOut:
    return msgspec.convert({**patient.model_dump(), "cannot_self_report": patient.non_verbal}, AdmittedOut)


class AdmissionApi(Controller):
    path = "/api/patients"

    @post(
        "/",
        guards=[requires("patients.admit")],
        status_code=201,
        responses=refusals(
            s403="Not one of your units",
            s409="A patient with this MRN is already in Bedside; nothing stored",
            s422="A field is missing, too long, or the MRN starts with DEMO-",
        ),
    )
    async def admit_patient(self, db: DbSession, actor: SignedIn, data: JSONBody[AdmissionIn]) -> AdmittedOut:
        details = AdmissionDetails(**msgspec.structs.asdict(data))
        return admitted_out(await admission.admit_patient(db, actor, details))

    @post(
        "/{patient_id:int}/transfer",
        guards=[requires("patients.transfer")],
        status_code=200,
        responses=refusals(s403="Not on one of your units", s409="Discharged, or a massage session is open"),
    )
    async def transfer_patient(
        self, db: DbSession, actor: SignedIn, patient_id: FromPath[int], data: JSONBody[TransferIn]
    ) -> AdmittedOut:
        patient = await admission.transfer_patient(
            db, actor, patient_id, unit_id=data.unit_id, room=data.room
        )
        return admitted_out(patient)

    @post(
        "/{patient_id:int}/discharge",
        guards=[requires("patients.discharge")],
        status_code=200,
        responses=refusals(s403="Not on one of your units", s409="Already discharged, or a session is open"),
    )
    async def discharge_patient(
        self, db: DbSession, actor: SignedIn, patient_id: FromPath[int]
    ) -> AdmittedOut:
        return admitted_out(await admission.discharge_patient(db, actor, patient_id))
