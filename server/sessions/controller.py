"""The bedside session screens: start, screen, consent, pre score, running timer, post score, sign.

Every step posts to its own URL and answers with the session panel (htmx) or a redirect (no JS). Each
handler only translates the form into one service call; the rules, and what the tablets are told, live
in the services, shared with the JSON API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.di import Provide
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Response, Template

from server.auth.policy import requires
from server.openapi import HTML, page
from server.patients.fragments import render_board_row
from server.patients.service import patient_card
from server.sessions import charting, interruptions, service
from server.sessions.fragments import panel_context, render_session_panel
from server.sessions.live import render_therapist_screen
from server.sessions.record import SessionRecord
from server.sessions.rules import ScoreSubmission
from server.sessions.schemas import AmendmentIn, ConsentIn, StepIn, StopIn
from server.sessions.steps import Step, move_hands_on, provide_step
from server.web import AppClock, DbSession, SignedIn, html, is_htmx, parse_clock_time

Form = URLEncodedBody
"""The page forms carry the same fields as the JSON API's bodies (sessions/schemas.py)."""
Reply = Response | Redirect
"""An htmx step gets the panel back; a plain form post is sent to the session page."""
STEP: dict[str, Any] = {"status_code": 200, "media_type": HTML, "responses": page(404, 409, 422)}
"""A step's reply: the panel (HTML) for htmx, else a 303; or no such session, wrong state, invalid."""


@dataclass
class RescheduleForm:
    reason: str = ""
    at: str = ""
    patient_id: int | None = None


@dataclass
class InterruptForm:
    reason: str = ""
    note: str = ""
    patient_id: int | None = None


def _patient_id(data: dict[str, str]) -> int | None:
    value = data.get("patient_id", "")
    return int(value) if value.isdigit() else None


def record_from_form(form: Any) -> SessionRecord:
    """The record form: ticked techniques and regions, reasons per restricted region, pressure, SOAP."""
    pressure = str(form.get("pressure", "")).strip()
    return SessionRecord(
        techniques=list(form.getall("techniques", [])),
        regions=list(form.getall("regions", [])),
        region_reasons={
            key.removeprefix("region_reason_"): str(value)
            for key, value in form.items()
            if key.startswith("region_reason_")
        },
        pressure=int(pressure) if pressure.isdigit() else None,
        pressure_reason=str(form.get("pressure_reason", "")),
        position=str(form.get("position", "")),
        response=str(form.get("response", "")),
        subjective=str(form.get("subjective", "")),
        objective=str(form.get("objective", "")),
        assessment=str(form.get("assessment", "")),
        plan=str(form.get("plan", "")),
    )


async def _panel(request: Request, step: Step) -> Response | Redirect:
    """The reply to every step: the session panel for htmx, the session page otherwise."""
    if not is_htmx(request):
        return Redirect(f"/sessions/{step.session_id}", status_code=303)
    return html(render_session_panel(request.app.state.jinja_env, await step.view()))


class SessionPages(Controller):
    path = "/"
    guards = [requires("session.chart")]
    dependencies = {"step": Provide(provide_step)}

    @post("/patients/{patient_id:int}/sessions", status_code=303, responses=page(404, 409))
    async def start_session(
        self, db: DbSession, actor: SignedIn, clock: AppClock, patient_id: FromPath[int]
    ) -> Redirect:
        now, today = clock.reading()
        started = await service.start_session(db, actor, patient_id, now=now, today=today)
        return Redirect(f"/sessions/{started.id}", status_code=303)

    @get("/sessions/{session_id:int}", responses=page(404))
    async def session_page(
        self, db: DbSession, actor: SignedIn, clock: AppClock, session_id: FromPath[int]
    ) -> Template:
        view = await service.session_view(db, actor, session_id)
        card = await patient_card(db, view.patient.id, *clock.reading())  # type: ignore[arg-type]
        return Template("pages/session.html", context={**panel_context(view), "card": card})

    @post("/sessions/{session_id:int}/scores", **STEP)
    async def record_score(self, request: Request, step: Step, data: Form[dict[str, str]]) -> Reply:
        """One tap on a score button, or the items of an observed scale (fields `item_<name>`)."""
        items = {key.removeprefix("item_"): value for key, value in data.items() if key.startswith("item_")}
        submission = ScoreSubmission(
            client_id=data.get("client_id", ""),
            session_id=step.session_id,
            patient_id=_patient_id(data),
            phase=data.get("phase", ""),
            value=data.get("value", ""),
            measure=data.get("measure", "pain") or "pain",
            items=items or None,
            not_obtainable=data.get("not_obtainable", ""),
        )
        await service.record_score(step.db, step.actor, submission, now=step.now, tablet=step.tablet)
        return await _panel(request, step)

    @post("/sessions/{session_id:int}/screening", **STEP)
    async def record_screening(self, request: Request, step: Step, data: Form[dict[str, str]]) -> Reply:
        answers = {
            key.removeprefix("screen_"): value for key, value in data.items() if key.startswith("screen_")
        }
        await step.run(service.record_screening, _patient_id(data), answers=answers)
        return await _panel(request, step)

    @post("/sessions/{session_id:int}/consent", **STEP)
    async def record_consent(self, request: Request, step: Step, data: Form[ConsentIn]) -> Reply:
        await step.run(
            service.record_consent, data.patient_id, by=data.by, surrogate_name=data.surrogate_name
        )
        return await _panel(request, step)

    @post("/sessions/{session_id:int}/sign", **STEP)
    async def sign_session(self, request: Request, step: Step) -> Reply:
        form = await request.form()
        note = str(form.get("note", ""))
        await step.run(
            charting.sign_session, _patient_id(dict(form.items())), record=record_from_form(form), note=note
        )
        return await _panel(request, step)

    @post("/sessions/{session_id:int}/amendments", **STEP)
    async def amend_session(self, request: Request, step: Step, data: Form[AmendmentIn]) -> Reply:
        await step.run(charting.amend_session, data.patient_id, reason=data.reason, text=data.text)
        return await _panel(request, step)

    @post("/sessions/{session_id:int}/stop", **STEP)
    async def stop_session(self, request: Request, step: Step, data: Form[StopIn]) -> Reply:
        await step.run(service.stop_session, data.patient_id, reason=data.reason)
        return await _panel(request, step)

    @post("/sessions/{session_id:int}/reschedule", **STEP)
    async def reschedule_session(
        self, request: Request, step: Step, clock: AppClock, data: Form[RescheduleForm]
    ) -> Reply:
        clock_time = parse_clock_time(data.at)
        due = clock.next_local_time(clock_time) if clock_time else None
        await step.run(service.reschedule_session, data.patient_id, reason=data.reason, due=due)
        return await _panel(request, step)

    @post("/sessions/{session_id:int}/{move:str}", **STEP)
    async def hands_on(self, request: Request, step: Step, move: FromPath[str], data: Form[StepIn]) -> Reply:
        """`pause`, `resume` or `finish` (hands off) the massage."""
        await move_hands_on(step, move, data.patient_id)
        return await _panel(request, step)


class InterruptionPages(Controller):
    """A nurse interrupts from the unit board; the therapist acknowledges on any page."""

    path = "/"

    @post("/sessions/{session_id:int}/interrupt", guards=[requires("session.interrupt")], **STEP)
    async def interrupt_session(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: URLEncodedBody[InterruptForm],
    ) -> Response | Redirect:
        """The session pauses and the therapist's tablet shows it full-screen."""
        interruption = await interruptions.interrupt_session(
            db,
            actor,
            session_id,
            patient_id=data.patient_id,
            reason=data.reason,
            note=data.note,
            now=clock.now(),
        )
        card = await patient_card(db, interruption.patient_id, *clock.reading())
        if not is_htmx(request):
            return Redirect(f"/units/{card.patient.unit_id}/board", status_code=303)
        return html(render_board_row(request.app.state.jinja_env, card, oob=False, can_flag=True))

    @post("/interruptions/{interruption_id:int}/acknowledge", guards=[requires("session.chart")], **STEP)
    async def acknowledge_interruption(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        interruption_id: FromPath[int],
    ) -> Response | Redirect:
        """The overlay goes; on that session's own page the panel comes back, paused, to resume or stop."""
        interruption = await interruptions.acknowledge_interruption(
            db, actor, interruption_id, now=clock.now()
        )
        if not is_htmx(request):
            return Redirect(f"/sessions/{interruption.session_id}", status_code=303)
        env = request.app.state.jinja_env
        reply = await render_therapist_screen(db, env, actor.user_id)
        current = getattr(request.htmx, "current_url_abs_path", None) or ""  # type: ignore[attr-defined]
        if current.rstrip("/").endswith(f"/sessions/{interruption.session_id}"):
            view = await service.session_view(db, actor, interruption.session_id, audit=False)
            reply += render_session_panel(env, view, oob=True)
        return html(reply)
