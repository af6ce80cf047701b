"""JSON API: admit, transfer and discharge patients (nurses on their units, administrators)."""

from __future__ import annotations

from datetime import date, datetime

import msgspec
from litestar import Controller, post
from litestar.params import FromPath

from server.auth.policy import requires
from server.openapi import api, json_body
from server.patients import admission
from server.patients.admission import AdmissionDetails
from server.patients.models import Patient
from server.web import DbSession, SignedIn


class TransferIn(msgspec.Struct):
    unit_id: int | None = None
    room: str = ""


AdmissionBody = json_body(
    AdmissionDetails,
    "Admit to 4 West Oncology, room 412",
    {
        "mrn": "MRN-0042317",
        "given_name": "Rosa",
        "family_name": "Almeida",
        "date_of_birth": "1956-03-14",
        "unit_id": 1,
        "room": "412",
        "comfort_care": False,
        "allergies": "Latex",
        "isolation": "",
        "fall_risk": True,
        "cannot_self_report": False,
        "language": "Portuguese",
    },
)
TransferBody = json_body(TransferIn, "Transfer to Hospice House, room 3", {"unit_id": 2, "room": "3"})


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
        responses=api(404, 409, 422),
    )
    async def admit_patient(self, db: DbSession, actor: SignedIn, data: AdmissionBody) -> AdmittedOut:
        return admitted_out(await admission.admit_patient(db, actor, data))

    @post(
        "/{patient_id:int}/transfer",
        guards=[requires("patients.transfer")],
        status_code=200,
        responses=api(404, 409, 422),
    )
    async def transfer_patient(
        self, db: DbSession, actor: SignedIn, patient_id: FromPath[int], data: TransferBody
    ) -> AdmittedOut:
        patient = await admission.transfer_patient(
            db, actor, patient_id, unit_id=data.unit_id, room=data.room
        )
        return admitted_out(patient)

    @post(
        "/{patient_id:int}/discharge",
        guards=[requires("patients.discharge")],
        status_code=200,
        responses=api(404, 409, 422),
    )
    async def discharge_patient(
        self, db: DbSession, actor: SignedIn, patient_id: FromPath[int]
    ) -> AdmittedOut:
        return admitted_out(await admission.discharge_patient(db, actor, patient_id))
