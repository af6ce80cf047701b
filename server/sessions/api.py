"""JSON API: massage sessions and their scores (therapists). Each route is one service call; the
service applies the rules, writes, and records what the tablets must be told."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.di import Provide
from litestar.params import FromPath, JSONBody

from server.auth.policy import requires
from server.openapi import api
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
    score_out,
    session_out,
)
from server.sessions.steps import Step, move_hands_on, provide_step
from server.web import AppClock, DbSession, SignedIn

STEP = api(404, 409, 422)
"""A session step: no such session, not in a state for it (or another patient named), or invalid."""


class SessionApi(Controller):
    path = "/api"
    guards = [requires("session.chart")]
    dependencies = {"step": Provide(provide_step)}

    @post("/patients/{patient_id:int}/sessions", status_code=201, responses=api(404, 409))
    async def api_start_session(
        self, db: DbSession, actor: SignedIn, clock: AppClock, patient_id: FromPath[int]
    ) -> SessionOut:
        now, today = clock.reading()
        started = await service.start_session(db, actor, patient_id, now=now, today=today)
        return session_out(await service.session_view(db, actor, started.id, audit=False))  # type: ignore[arg-type]

    @get("/sessions/{session_id:int}", responses=api(404))
    async def api_get_session(self, db: DbSession, actor: SignedIn, session_id: FromPath[int]) -> SessionOut:
        return session_out(await service.session_view(db, actor, session_id))

    @post("/sessions/{session_id:int}/scores", status_code=201, responses=STEP)
    async def api_record_score(self, step: Step, data: JSONBody[ScoreIn]) -> ScoreOut:
        """Answers a replay exactly as the first submission: same status, same body."""
        submission = ScoreSubmission(session_id=step.session_id, **msgspec.structs.asdict(data))
        result = await service.record_score(step.db, step.actor, submission, now=step.now, tablet=step.tablet)
        return score_out(result.score)

    @post("/sessions/{session_id:int}/screening", status_code=200, responses=STEP)
    async def api_screening(self, step: Step, data: JSONBody[ScreeningIn]) -> SessionOut:
        await step.run(service.record_screening, data.patient_id, answers=data.answers)
        return session_out(await step.view())

    @post("/sessions/{session_id:int}/consent", status_code=200, responses=STEP)
    async def api_consent(self, step: Step, data: JSONBody[ConsentIn]) -> SessionOut:
        """`by`: patient, surrogate (with `surrogate_name`) or declined (the session stops)."""
        await step.run(
            service.record_consent, data.patient_id, by=data.by, surrogate_name=data.surrogate_name
        )
        return session_out(await step.view())

    @post("/sessions/{session_id:int}/sign", status_code=200, responses=STEP)
    async def api_sign(self, step: Step, data: JSONBody[RecordIn]) -> SessionOut:
        """Chart and sign: techniques, regions (reasons for restricted ones), pressure, position, SOAP."""
        await step.run(charting.sign_session, data.patient_id, record=data, note=data.note)
        return session_out(await step.view())

    @post("/sessions/{session_id:int}/amendments", status_code=201, responses=STEP)
    async def api_amend(self, step: Step, data: JSONBody[AmendmentIn]) -> AmendmentOut:
        amendment = await step.run(
            charting.amend_session, data.patient_id, reason=data.reason, text=data.text
        )
        return amendment_out(amendment)

    @post("/sessions/{session_id:int}/stop", status_code=200, responses=STEP)
    async def api_stop(self, step: Step, data: JSONBody[StopIn]) -> SessionOut:
        await step.run(service.stop_session, data.patient_id, reason=data.reason)
        return session_out(await step.view())

    @post("/sessions/{session_id:int}/reschedule", status_code=200, responses=STEP)
    async def api_reschedule(self, step: Step, data: JSONBody[RescheduleIn]) -> SessionOut:
        """`at`: when the session is due again (ISO 8601 with offset), or none."""
        await step.run(service.reschedule_session, data.patient_id, reason=data.reason, due=data.at)
        return session_out(await step.view())

    @post("/sessions/{session_id:int}/{move:str}", status_code=200, responses=STEP)
    async def api_hands_on(self, step: Step, move: FromPath[str], data: JSONBody[StepIn]) -> SessionOut:
        """`pause`, `resume` or `finish` (hands off) the massage."""
        await move_hands_on(step, move, data.patient_id)
        return session_out(await step.view())
