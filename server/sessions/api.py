"""JSON API: massage sessions and their scores (therapists). Each route is one service call; the
service applies the rules, writes, and records what the tablets must be told."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.policy import requires
from server.sessions import charting, service
from server.sessions.rules import ScoreSubmission
from server.sessions.schemas import (
    AmendmentIn,
    AmendmentOut,
    ConsentIn,
    RecordIn,
    RescheduleIn,
    ScoreIn,
    ScoreOut,
    ScreeningIn,
    SessionOut,
    StepIn,
    StopIn,
    amendment_out,
    record_in,
    score_out,
    session_out,
)
from server.web import AppClock, DbSession, SignedIn


async def _current(db: AsyncSession, actor: Actor, session_id: int) -> SessionOut:
    return session_out(await service.session_view(db, actor, session_id, audit=False))


class SessionApi(Controller):
    path = "/api"
    guards = [requires("session.chart")]

    @post("/patients/{patient_id:int}/sessions", status_code=201)
    async def api_start_session(
        self, db: DbSession, actor: SignedIn, clock: AppClock, patient_id: FromPath[int]
    ) -> SessionOut:
        now, today = clock.reading()
        started = await service.start_session(db, actor, patient_id, now=now, today=today)
        return await _current(db, actor, started.id)  # type: ignore[arg-type]

    @get("/sessions/{session_id:int}")
    async def api_get_session(self, db: DbSession, actor: SignedIn, session_id: FromPath[int]) -> SessionOut:
        return session_out(await service.session_view(db, actor, session_id))

    @post("/sessions/{session_id:int}/scores", status_code=201)
    async def api_record_score(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: JSONBody[ScoreIn],
    ) -> ScoreOut:
        """Answers a replay exactly as the first submission: same status, same body."""
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
        result = await service.record_score(db, actor, submission, now=clock.now())
        return score_out(result.score)

    @post("/sessions/{session_id:int}/screening", status_code=200)
    async def api_screening(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: JSONBody[ScreeningIn],
    ) -> SessionOut:
        await service.record_screening(
            db, actor, session_id, patient_id=data.patient_id, answers=data.answers, now=clock.now()
        )
        return await _current(db, actor, session_id)

    @post("/sessions/{session_id:int}/consent", status_code=200)
    async def api_consent(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: JSONBody[ConsentIn],
    ) -> SessionOut:
        """`by`: patient, surrogate (with `surrogate_name`) or declined (the session stops)."""
        await service.record_consent(
            db,
            actor,
            session_id,
            patient_id=data.patient_id,
            by=data.by,
            surrogate_name=data.surrogate_name,
            now=clock.now(),
        )
        return await _current(db, actor, session_id)

    @post("/sessions/{session_id:int}/finish", status_code=200)
    async def api_finish(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: JSONBody[StepIn],
    ) -> SessionOut:
        await service.finish_massage(db, actor, session_id, patient_id=data.patient_id, now=clock.now())
        return await _current(db, actor, session_id)

    @post("/sessions/{session_id:int}/pause", status_code=200)
    async def api_pause(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: JSONBody[StepIn],
    ) -> SessionOut:
        await charting.pause_session(db, actor, session_id, patient_id=data.patient_id, now=clock.now())
        return await _current(db, actor, session_id)

    @post("/sessions/{session_id:int}/resume", status_code=200)
    async def api_resume(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: JSONBody[StepIn],
    ) -> SessionOut:
        await charting.resume_session(db, actor, session_id, patient_id=data.patient_id, now=clock.now())
        return await _current(db, actor, session_id)

    @post("/sessions/{session_id:int}/sign", status_code=200)
    async def api_sign(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: JSONBody[RecordIn],
    ) -> SessionOut:
        """Chart and sign: techniques, regions (reasons for restricted ones), pressure, position, SOAP."""
        await charting.sign_session(
            db,
            actor,
            session_id,
            patient_id=data.patient_id,
            record=record_in(data),
            note=data.note,
            now=clock.now(),
        )
        return await _current(db, actor, session_id)

    @post("/sessions/{session_id:int}/amendments", status_code=201)
    async def api_amend(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: JSONBody[AmendmentIn],
    ) -> AmendmentOut:
        amendment = await charting.amend_session(
            db,
            actor,
            session_id,
            patient_id=data.patient_id,
            reason=data.reason,
            text=data.text,
            now=clock.now(),
        )
        return amendment_out(amendment)

    @post("/sessions/{session_id:int}/stop", status_code=200)
    async def api_stop(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: JSONBody[StopIn],
    ) -> SessionOut:
        await service.stop_session(
            db, actor, session_id, patient_id=data.patient_id, reason=data.reason, now=clock.now()
        )
        return await _current(db, actor, session_id)

    @post("/sessions/{session_id:int}/reschedule", status_code=200)
    async def api_reschedule(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: JSONBody[RescheduleIn],
    ) -> SessionOut:
        """`at`: when the session is due again (ISO 8601 with offset), or none."""
        await service.reschedule_session(
            db,
            actor,
            session_id,
            patient_id=data.patient_id,
            reason=data.reason,
            due=data.at,
            now=clock.now(),
        )
        return await _current(db, actor, session_id)
