"""JSON API: massage sessions and their scores (therapists)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.guards import requires_role
from server.auth.models import Role
from server.realtime.broadcast import Broadcaster
from server.sessions import charting, service
from server.sessions.models import Score
from server.sessions.record import SessionRecord
from server.sessions.rules import ScoreSubmission
from server.web import actor_of, now_and_today

therapist_only = [requires_role(Role.therapist)]


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


def score_out(score: Score) -> ScoreOut:
    return ScoreOut(
        id=score.id,
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


async def session_out(db: AsyncSession, request: Request, session_id: FromPath[int]) -> SessionOut:
    view = await service.session_view(db, actor_of(request), session_id, audit=False)
    s = view.massage_session
    return SessionOut(
        id=s.id,
        patient_id=s.patient_id,
        order_id=s.order_id,
        state=s.state,
        step=view.step,  # type: ignore[arg-type]
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
        amendments=[
            AmendmentOut(
                id=a.id,
                session_id=a.session_id,
                author_name=a.author_name,
                at=a.at,  # type: ignore[arg-type]
                reason=a.reason,
                text=a.text,
            )
            for a in view.amendments
        ],
        scores=[score_out(x) for x in view.scores],
    )


@post("/api/patients/{patient_id:int}/sessions", guards=therapist_only, status_code=201)
async def api_start_session(
    request: Request,
    patient_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> SessionOut:
    now, today = now_and_today(request)
    massage_session = await service.start_session(
        db_session, actor_of(request), patient_id, now=now, today=today
    )
    await broadcaster.patient_changed(patient_id)
    return await session_out(db_session, request, massage_session.id)  # type: ignore[arg-type]


@get("/api/sessions/{session_id:int}", guards=therapist_only)
async def api_get_session(
    request: Request, session_id: FromPath[int], db_session: NamedDependency[AsyncSession]
) -> SessionOut:
    await service.session_view(db_session, actor_of(request), session_id)
    return await session_out(db_session, request, session_id)


@post("/api/sessions/{session_id:int}/scores", guards=therapist_only, status_code=201)
async def api_record_score(
    request: Request,
    session_id: FromPath[int],
    data: JSONBody[ScoreIn],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> ScoreOut:
    """Answers a replay exactly as the first submission: same status, same body."""
    now, _ = now_and_today(request)
    submission = ScoreSubmission(
        client_id=data.client_id,
        session_id=session_id,
        patient_id=data.patient_id,
        phase=data.phase,
        value=data.value,
        measure=data.measure,
        items=data.items,  # type: ignore[arg-type]
        not_obtainable=data.not_obtainable,
    )
    result = await service.record_score(db_session, actor_of(request), submission, now=now)
    if not result.replayed:
        await broadcaster.patient_changed(result.score.patient_id)
    return score_out(result.score)


@post("/api/sessions/{session_id:int}/finish", guards=therapist_only, status_code=200)
async def api_finish(
    request: Request,
    session_id: FromPath[int],
    data: JSONBody[StepIn],
    db_session: NamedDependency[AsyncSession],
) -> SessionOut:
    now, _ = now_and_today(request)
    await service.finish_massage(
        db_session, actor_of(request), session_id, patient_id=data.patient_id, now=now
    )
    return await session_out(db_session, request, session_id)


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


class AmendmentOut(msgspec.Struct):
    id: int
    session_id: int
    author_name: str
    at: datetime
    reason: str
    text: str


@post("/api/sessions/{session_id:int}/pause", guards=therapist_only, status_code=200)
async def api_pause(
    request: Request,
    session_id: FromPath[int],
    data: JSONBody[StepIn],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> SessionOut:
    now, _ = now_and_today(request)
    s = await charting.pause_session(
        db_session, actor_of(request), session_id, patient_id=data.patient_id, now=now
    )
    await broadcaster.patient_changed(s.patient_id)
    return await session_out(db_session, request, session_id)


@post("/api/sessions/{session_id:int}/resume", guards=therapist_only, status_code=200)
async def api_resume(
    request: Request,
    session_id: FromPath[int],
    data: JSONBody[StepIn],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> SessionOut:
    now, _ = now_and_today(request)
    s = await charting.resume_session(
        db_session, actor_of(request), session_id, patient_id=data.patient_id, now=now
    )
    await broadcaster.patient_changed(s.patient_id)
    return await session_out(db_session, request, session_id)


@post("/api/sessions/{session_id:int}/sign", guards=therapist_only, status_code=200)
async def api_sign(
    request: Request,
    session_id: FromPath[int],
    data: JSONBody[RecordIn],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> SessionOut:
    """Chart and sign: techniques, regions (with reasons for restricted ones), pressure, position, SOAP."""
    now, _ = now_and_today(request)
    record = SessionRecord(
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
    s = await charting.sign_session(
        db_session,
        actor_of(request),
        session_id,
        patient_id=data.patient_id,
        record=record,
        note=data.note,
        now=now,
    )
    await broadcaster.patient_changed(s.patient_id)
    return await session_out(db_session, request, session_id)


@post("/api/sessions/{session_id:int}/amendments", guards=therapist_only, status_code=201)
async def api_amend(
    request: Request,
    session_id: FromPath[int],
    data: JSONBody[AmendmentIn],
    db_session: NamedDependency[AsyncSession],
) -> AmendmentOut:
    now, _ = now_and_today(request)
    a = await charting.amend_session(
        db_session,
        actor_of(request),
        session_id,
        patient_id=data.patient_id,
        reason=data.reason,
        text=data.text,
        now=now,
    )
    return AmendmentOut(
        id=a.id,
        session_id=a.session_id,
        author_name=a.author_name,
        at=a.at,
        reason=a.reason,  # type: ignore[arg-type]
        text=a.text,
    )


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


@post("/api/sessions/{session_id:int}/screening", guards=therapist_only, status_code=200)
async def api_screening(
    request: Request,
    session_id: FromPath[int],
    data: JSONBody[ScreeningIn],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> SessionOut:
    now, _ = now_and_today(request)
    s = await service.record_screening(
        db_session, actor_of(request), session_id, patient_id=data.patient_id, answers=data.answers, now=now
    )
    if s.state == "stopped":
        await broadcaster.patient_changed(s.patient_id)
    return await session_out(db_session, request, session_id)


@post("/api/sessions/{session_id:int}/consent", guards=therapist_only, status_code=200)
async def api_consent(
    request: Request,
    session_id: FromPath[int],
    data: JSONBody[ConsentIn],
    db_session: NamedDependency[AsyncSession],
) -> SessionOut:
    now, _ = now_and_today(request)
    await service.record_consent(
        db_session,
        actor_of(request),
        session_id,
        patient_id=data.patient_id,
        by=data.by,
        surrogate_name=data.surrogate_name,
        now=now,
    )
    return await session_out(db_session, request, session_id)


@post("/api/sessions/{session_id:int}/stop", guards=therapist_only, status_code=200)
async def api_stop(
    request: Request,
    session_id: FromPath[int],
    data: JSONBody[StopIn],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> SessionOut:
    now, _ = now_and_today(request)
    s = await service.stop_session(
        db_session, actor_of(request), session_id, patient_id=data.patient_id, reason=data.reason, now=now
    )
    await broadcaster.patient_changed(s.patient_id)
    return await session_out(db_session, request, session_id)


class RescheduleIn(msgspec.Struct):
    reason: str = ""
    at: datetime | None = None
    """When the session is due again (ISO 8601 with offset), or none."""
    patient_id: int | None = None


@post("/api/sessions/{session_id:int}/reschedule", guards=therapist_only, status_code=200)
async def api_reschedule(
    request: Request,
    session_id: FromPath[int],
    data: JSONBody[RescheduleIn],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> SessionOut:
    now, _ = now_and_today(request)
    s = await service.reschedule_session(
        db_session,
        actor_of(request),
        session_id,
        patient_id=data.patient_id,
        reason=data.reason,
        due=data.at,
        now=now,
    )
    await broadcaster.patient_changed(s.patient_id)
    return await session_out(db_session, request, session_id)
