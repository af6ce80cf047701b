"""The JSON API's shapes for massage sessions: what a client sends and what it gets back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import msgspec

from server.sessions.models import Amendment, Score
from server.sessions.record import SessionRecord
from server.sessions.service import SessionView


class ScoreIn(msgspec.Struct):
    client_id: str = ""
    """Generated on the device for this submission; a replay with the same id is stored once."""
    phase: str = ""
    value: int | None = None
    measure: str = "pain"
    patient_id: int | None = None
    items: dict[str, int] | None = None
    """For PAINAD or FLACC patients: the five items' scores (0-2); the value is their total."""
    not_obtainable: str = ""
    """Post pain only, instead of a value: asleep, left_unit, declined or unable."""


class ScoreOut(msgspec.Struct):
    id: int
    client_id: str
    session_id: int
    patient_id: int
    phase: str
    measure: str
    scale: str
    value: int | None
    items: dict[str, int] | None
    not_obtainable_reason: str
    recorded_at: datetime
    """When the server received it."""
    tablet_recorded_at: datetime | None
    """When it was tapped, by the tablet's clock (sent from the tablet's outbox), else none."""


class AmendmentOut(msgspec.Struct):
    id: int
    session_id: int
    author_name: str
    at: datetime
    reason: str
    text: str


class SessionOut(msgspec.Struct):
    id: int
    patient_id: int
    order_id: int
    state: str
    step: str
    started_at: datetime | None
    massage_ended_at: datetime | None
    completed_at: datetime | None
    active_seconds: int
    note: str
    stop_reason: str
    screening: dict[str, str]
    precautions: list[str]
    consent_by: str
    consent_surrogate_name: str
    techniques: list[str]
    regions: list[str]
    region_reasons: dict[str, str]
    pressure_used: int | None
    pressure_reason: str
    position: str
    response: str
    soap: dict[str, str]
    signed_at: datetime | None
    amendments: list[AmendmentOut]
    scores: list[ScoreOut]


class StepIn(msgspec.Struct):
    patient_id: int | None = None
    note: str = ""


@dataclass
class RecordIn(SessionRecord):
    """The record to sign (techniques, regions with reasons for restricted ones, pressure, position,
    response, SOAP), a note, and the patient it is about."""

    note: str = ""
    patient_id: int | None = None


class AmendmentIn(msgspec.Struct):
    reason: str = ""
    text: str = ""
    patient_id: int | None = None


class ScreeningIn(msgspec.Struct):
    answers: dict[str, str] = {}
    patient_id: int | None = None


class ConsentIn(msgspec.Struct):
    by: str = ""
    surrogate_name: str = ""
    patient_id: int | None = None


class StopIn(msgspec.Struct):
    reason: str = ""
    patient_id: int | None = None


class RescheduleIn(msgspec.Struct):
    reason: str = ""
    at: datetime | None = None
    """When the session is due again (ISO 8601 with offset), or none."""
    patient_id: int | None = None


def score_out(score: Score) -> ScoreOut:
    return msgspec.convert(score, ScoreOut, from_attributes=True)


def amendment_out(amendment: Amendment) -> AmendmentOut:
    return msgspec.convert(amendment, AmendmentOut, from_attributes=True)


def session_out(view: SessionView) -> SessionOut:
    """The session's own columns, and what the client needs beside them."""
    s = view.massage_session
    soap = {"subjective": s.soap_subjective, "objective": s.soap_objective}
    soap |= {"assessment": s.soap_assessment, "plan": s.soap_plan}
    beside = {
        "step": view.step,
        "precautions": s.screening_precautions,
        "soap": soap,
        "amendments": [amendment_out(a) for a in view.amendments],
        "scores": [score_out(x) for x in view.scores],
    }
    return msgspec.convert({**s.model_dump(), **beside}, SessionOut, from_attributes=True)
