"""The bedside session screens: start, screen, consent, pre score, running timer, post score, sign.

Every step posts to its own URL and answers with the session panel (htmx) or a redirect (no JS). Each
handler only translates the form into one service call; the rules, and what the tablets are told, live
in the services, shared with the JSON API.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, get, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Response, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.policy import requires
from server.patients.fragments import render_board_row
from server.patients.service import patient_card
from server.sessions import charting, interruptions, service
from server.sessions.fragments import panel_context, render_session_panel
from server.sessions.live import render_therapist_screen
from server.sessions.record import SessionRecord
from server.sessions.rules import ScoreSubmission
from server.web import AppClock, DbSession, SignedIn, html, is_htmx, parse_clock_time


@dataclass
class StepForm:
    patient_id: int | None = None
    note: str = ""


@dataclass
class ConsentForm:
    by: str = ""
    surrogate_name: str = ""
    patient_id: int | None = None


@dataclass
class StopForm:
    reason: str = ""
    patient_id: int | None = None


@dataclass
class AmendmentForm:
    reason: str = ""
    text: str = ""
    patient_id: int | None = None


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


async def _panel(request: Request, db: AsyncSession, actor: Actor, session_id: int) -> Response | Redirect:
    if not is_htmx(request):
        return Redirect(f"/sessions/{session_id}", status_code=303)
    view = await service.session_view(db, actor, session_id, audit=False)
    return html(render_session_panel(request.app.state.jinja_env, view))


class SessionPages(Controller):
    path = "/"
    guards = [requires("session.chart")]

    @post("/patients/{patient_id:int}/sessions", status_code=303)
    async def start_session(
        self, db: DbSession, actor: SignedIn, clock: AppClock, patient_id: FromPath[int]
    ) -> Redirect:
        now, today = clock.reading()
        started = await service.start_session(db, actor, patient_id, now=now, today=today)
        return Redirect(f"/sessions/{started.id}", status_code=303)

    @get("/sessions/{session_id:int}")
    async def session_page(
        self, db: DbSession, actor: SignedIn, clock: AppClock, session_id: FromPath[int]
    ) -> Template:
        view = await service.session_view(db, actor, session_id)
        card = await patient_card(db, view.patient.id, *clock.reading())  # type: ignore[arg-type]
        return Template("pages/session.html", context={**panel_context(view), "card": card})

    @post("/sessions/{session_id:int}/scores", status_code=200)
    async def record_score(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: URLEncodedBody[dict[str, str]],
    ) -> Response | Redirect:
        """One tap on a score button, or the items of an observed scale (fields `item_<name>`)."""
        items = {key.removeprefix("item_"): value for key, value in data.items() if key.startswith("item_")}
        submission = ScoreSubmission(
            client_id=data.get("client_id", ""),
            session_id=session_id,
            patient_id=_patient_id(data),
            phase=data.get("phase", ""),
            value=data.get("value", ""),
            measure=data.get("measure", "pain") or "pain",
            items=items or None,
            not_obtainable=data.get("not_obtainable", ""),
        )
        await service.record_score(db, actor, submission, now=clock.now())
        return await _panel(request, db, actor, session_id)

    @post("/sessions/{session_id:int}/screening", status_code=200)
    async def record_screening(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: URLEncodedBody[dict[str, str]],
    ) -> Response | Redirect:
        answers = {
            key.removeprefix("screen_"): value for key, value in data.items() if key.startswith("screen_")
        }
        await service.record_screening(
            db, actor, session_id, patient_id=_patient_id(data), answers=answers, now=clock.now()
        )
        return await _panel(request, db, actor, session_id)

    @post("/sessions/{session_id:int}/consent", status_code=200)
    async def record_consent(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: URLEncodedBody[ConsentForm],
    ) -> Response | Redirect:
        await service.record_consent(
            db,
            actor,
            session_id,
            patient_id=data.patient_id,
            by=data.by,
            surrogate_name=data.surrogate_name,
            now=clock.now(),
        )
        return await _panel(request, db, actor, session_id)

    @post("/sessions/{session_id:int}/finish", status_code=200)
    async def finish_massage(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: URLEncodedBody[StepForm],
    ) -> Response | Redirect:
        await service.finish_massage(db, actor, session_id, patient_id=data.patient_id, now=clock.now())
        return await _panel(request, db, actor, session_id)

    @post("/sessions/{session_id:int}/pause", status_code=200)
    async def pause_session(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: URLEncodedBody[StepForm],
    ) -> Response | Redirect:
        await charting.pause_session(db, actor, session_id, patient_id=data.patient_id, now=clock.now())
        return await _panel(request, db, actor, session_id)

    @post("/sessions/{session_id:int}/resume", status_code=200)
    async def resume_session(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: URLEncodedBody[StepForm],
    ) -> Response | Redirect:
        await charting.resume_session(db, actor, session_id, patient_id=data.patient_id, now=clock.now())
        return await _panel(request, db, actor, session_id)

    @post("/sessions/{session_id:int}/sign", status_code=200)
    async def sign_session(
        self, request: Request, db: DbSession, actor: SignedIn, clock: AppClock, session_id: FromPath[int]
    ) -> Response | Redirect:
        form = await request.form()
        await charting.sign_session(
            db,
            actor,
            session_id,
            patient_id=_patient_id(dict(form.items())),
            record=record_from_form(form),
            note=str(form.get("note", "")),
            now=clock.now(),
        )
        return await _panel(request, db, actor, session_id)

    @post("/sessions/{session_id:int}/amendments", status_code=200)
    async def amend_session(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: URLEncodedBody[AmendmentForm],
    ) -> Response | Redirect:
        await charting.amend_session(
            db,
            actor,
            session_id,
            patient_id=data.patient_id,
            reason=data.reason,
            text=data.text,
            now=clock.now(),
        )
        return await _panel(request, db, actor, session_id)

    @post("/sessions/{session_id:int}/stop", status_code=200)
    async def stop_session(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: URLEncodedBody[StopForm],
    ) -> Response | Redirect:
        await service.stop_session(
            db, actor, session_id, patient_id=data.patient_id, reason=data.reason, now=clock.now()
        )
        return await _panel(request, db, actor, session_id)

    @post("/sessions/{session_id:int}/reschedule", status_code=200)
    async def reschedule_session(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        session_id: FromPath[int],
        data: URLEncodedBody[RescheduleForm],
    ) -> Response | Redirect:
        clock_time = parse_clock_time(data.at)
        due = clock.next_local_time(clock_time) if clock_time else None
        await service.reschedule_session(
            db, actor, session_id, patient_id=data.patient_id, reason=data.reason, due=due, now=clock.now()
        )
        return await _panel(request, db, actor, session_id)


class InterruptionPages(Controller):
    """A nurse interrupts from the unit board; the therapist acknowledges on any page."""

    path = "/"

    @post("/sessions/{session_id:int}/interrupt", guards=[requires("session.interrupt")], status_code=200)
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

    @post(
        "/interruptions/{interruption_id:int}/acknowledge",
        guards=[requires("session.chart")],
        status_code=200,
    )
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
