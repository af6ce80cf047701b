"""The JSON API's shapes for massage sessions: what a client sends and what it gets back."""

from __future__ import annotations

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


class RecordIn(msgspec.Struct):
    techniques: list[str] = []
    regions: list[str] = []
    region_reasons: dict[str, str] = {}
    pressure: int | None = None
    pressure_reason: str = ""
    position: str = ""
    response: str = ""
    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan: str = ""
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
    return ScoreOut(
        id=score.id,  # type: ignore[arg-type]
        client_id=score.client_id,
        session_id=score.session_id,  # type: ignore[arg-type]
        patient_id=score.patient_id,
        phase=score.phase,
        measure=score.measure,
        scale=score.scale,
        value=score.value,
        items=score.items,
        not_obtainable_reason=score.not_obtainable_reason,
        recorded_at=score.recorded_at,
    )


def amendment_out(a: Amendment) -> AmendmentOut:
    return AmendmentOut(
        id=a.id,  # type: ignore[arg-type]
        session_id=a.session_id,
        author_name=a.author_name,
        at=a.at,
        reason=a.reason,
        text=a.text,
    )


def session_out(view: SessionView) -> SessionOut:
    s = view.massage_session
    return SessionOut(
        id=s.id,  # type: ignore[arg-type]
        patient_id=s.patient_id,
        order_id=s.order_id,
        state=s.state,
        step=view.step,
        started_at=s.started_at,
        massage_ended_at=s.massage_ended_at,
        completed_at=s.completed_at,
        active_seconds=s.active_seconds,
        note=s.note,
        stop_reason=s.stop_reason,
        screening=s.screening,
        precautions=s.screening_precautions,
        consent_by=s.consent_by,
        consent_surrogate_name=s.consent_surrogate_name,
        techniques=s.techniques,
        regions=s.regions,
        region_reasons=s.region_reasons,
        pressure_used=s.pressure_used,
        pressure_reason=s.pressure_reason,
        position=s.position,
        response=s.response,
        soap={
            "subjective": s.soap_subjective,
            "objective": s.soap_objective,
            "assessment": s.soap_assessment,
            "plan": s.soap_plan,
        },
        signed_at=s.signed_at,
        amendments=[amendment_out(a) for a in view.amendments],
        scores=[score_out(x) for x in view.scores],
    )


def record_in(data: RecordIn) -> SessionRecord:
    return SessionRecord(
        techniques=data.techniques,
        regions=data.regions,
        region_reasons=data.region_reasons,
        pressure=data.pressure,
        pressure_reason=data.pressure_reason,
        position=data.position,
        response=data.response,
        subjective=data.subjective,
        objective=data.objective,
        assessment=data.assessment,
        plan=data.plan,
    )
