"""The bedside session screens: start, pre score, running timer, post score, note, complete.

Every step posts to its own URL and answers with the session panel (htmx) or a redirect (no JS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Response, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.guards import requires_role
from server.auth.models import Role
from server.availability.controller import parse_until
from server.clock import next_local_time
from server.patients.fragments import BOARD_ROW
from server.patients.service import patient_card
from server.realtime.broadcast import Broadcaster, render_user_screen
from server.sessions import charting, interruptions, service
from server.sessions.fragments import panel_context, render_session_panel
from server.sessions.record import SessionRecord
from server.sessions.rules import ScoreSubmission
from server.web import actor_of, is_htmx, now_and_today

therapist_only = [requires_role(Role.therapist)]


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
class StepForm:
    patient_id: int | None = None
    note: str = ""


async def _panel(request: Request, db: AsyncSession, session_id: FromPath[int]) -> Template | Redirect:
    if not is_htmx(request):
        return Redirect(f"/sessions/{session_id}", status_code=303)
    view = await service.session_view(db, actor_of(request), session_id, audit=False)
    return Template("partials/session_panel.html", context=panel_context(view))


@post("/patients/{patient_id:int}/sessions", guards=therapist_only, status_code=303)
async def start_session(
    request: Request,
    patient_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Redirect:
    now, today = now_and_today(request)
    massage_session = await service.start_session(
        db_session, actor_of(request), patient_id, now=now, today=today
    )
    await broadcaster.patient_changed(patient_id)
    return Redirect(f"/sessions/{massage_session.id}", status_code=303)


@get("/sessions/{session_id:int}", guards=therapist_only)
async def session_page(
    request: Request, session_id: FromPath[int], db_session: NamedDependency[AsyncSession]
) -> Template:
    now, today = now_and_today(request)
    view = await service.session_view(db_session, actor_of(request), session_id)
    card = await patient_card(db_session, view.patient.id, now, today)  # type: ignore[arg-type]
    return Template("pages/session.html", context={**panel_context(view), "card": card})


@post("/sessions/{session_id:int}/scores", guards=therapist_only, status_code=200)
async def record_score(
    request: Request,
    session_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    """One tap on a score button, or the items of an observed scale (fields `item_<name>`)."""
    now, _ = now_and_today(request)
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
    result = await service.record_score(db_session, actor_of(request), submission, now=now)
    if not result.replayed:
        await broadcaster.patient_changed(result.score.patient_id)
    return await _panel(request, db_session, session_id)


@post("/sessions/{session_id:int}/finish", guards=therapist_only, status_code=200)
async def finish_massage(
    request: Request,
    session_id: FromPath[int],
    data: URLEncodedBody[StepForm],
    db_session: NamedDependency[AsyncSession],
) -> Template | Redirect:
    now, _ = now_and_today(request)
    await service.finish_massage(
        db_session, actor_of(request), session_id, patient_id=data.patient_id, now=now
    )
    return await _panel(request, db_session, session_id)


@post("/sessions/{session_id:int}/pause", guards=therapist_only, status_code=200)
async def pause_session(
    request: Request,
    session_id: FromPath[int],
    data: URLEncodedBody[StepForm],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    now, _ = now_and_today(request)
    paused = await charting.pause_session(
        db_session, actor_of(request), session_id, patient_id=data.patient_id, now=now
    )
    await broadcaster.patient_changed(paused.patient_id)
    return await _panel(request, db_session, session_id)


@post("/sessions/{session_id:int}/resume", guards=therapist_only, status_code=200)
async def resume_session(
    request: Request,
    session_id: FromPath[int],
    data: URLEncodedBody[StepForm],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    now, _ = now_and_today(request)
    resumed = await charting.resume_session(
        db_session, actor_of(request), session_id, patient_id=data.patient_id, now=now
    )
    await broadcaster.patient_changed(resumed.patient_id)
    return await _panel(request, db_session, session_id)


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


@post("/sessions/{session_id:int}/sign", guards=therapist_only, status_code=200)
async def sign_session(
    request: Request,
    session_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    now, _ = now_and_today(request)
    form = await request.form()
    signed = await charting.sign_session(
        db_session,
        actor_of(request),
        session_id,
        patient_id=_patient_id(dict(form.items())),
        record=record_from_form(form),
        note=str(form.get("note", "")),
        now=now,
    )
    await broadcaster.patient_changed(signed.patient_id)
    return await _panel(request, db_session, session_id)


@post("/sessions/{session_id:int}/amendments", guards=therapist_only, status_code=200)
async def amend_session(
    request: Request,
    session_id: FromPath[int],
    data: URLEncodedBody[AmendmentForm],
    db_session: NamedDependency[AsyncSession],
) -> Template | Redirect:
    now, _ = now_and_today(request)
    await charting.amend_session(
        db_session,
        actor_of(request),
        session_id,
        patient_id=data.patient_id,
        reason=data.reason,
        text=data.text,
        now=now,
    )
    return await _panel(request, db_session, session_id)


@post("/sessions/{session_id:int}/screening", guards=therapist_only, status_code=200)
async def record_screening(
    request: Request,
    session_id: FromPath[int],
    data: URLEncodedBody[dict[str, str]],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    now, _ = now_and_today(request)
    answers = {key.removeprefix("screen_"): value for key, value in data.items() if key.startswith("screen_")}
    massage_session = await service.record_screening(
        db_session, actor_of(request), session_id, patient_id=_patient_id(data), answers=answers, now=now
    )
    if massage_session.state == "stopped":
        await broadcaster.patient_changed(massage_session.patient_id)
    return await _panel(request, db_session, session_id)


@post("/sessions/{session_id:int}/consent", guards=therapist_only, status_code=200)
async def record_consent(
    request: Request,
    session_id: FromPath[int],
    data: URLEncodedBody[ConsentForm],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    now, _ = now_and_today(request)
    actor = actor_of(request)
    if data.by == "declined":
        stopped = await service.stop_session(
            db_session, actor, session_id, patient_id=data.patient_id, reason="Patient declined", now=now
        )
        await broadcaster.patient_changed(stopped.patient_id)
    else:
        await service.record_consent(
            db_session,
            actor,
            session_id,
            patient_id=data.patient_id,
            by=data.by,
            surrogate_name=data.surrogate_name,
            now=now,
        )
    return await _panel(request, db_session, session_id)


@post("/sessions/{session_id:int}/stop", guards=therapist_only, status_code=200)
async def stop_session(
    request: Request,
    session_id: FromPath[int],
    data: URLEncodedBody[StopForm],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    now, _ = now_and_today(request)
    stopped = await service.stop_session(
        db_session, actor_of(request), session_id, patient_id=data.patient_id, reason=data.reason, now=now
    )
    await broadcaster.patient_changed(stopped.patient_id)
    return await _panel(request, db_session, session_id)


def _patient_id(data: dict[str, str]) -> int | None:
    value = data.get("patient_id", "")
    return int(value) if value.isdigit() else None


@dataclass
class RescheduleForm:
    reason: str = ""
    at: str = ""
    patient_id: int | None = None


@post("/sessions/{session_id:int}/reschedule", guards=therapist_only, status_code=200)
async def reschedule_session(
    request: Request,
    session_id: FromPath[int],
    data: URLEncodedBody[RescheduleForm],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    now, _ = now_and_today(request)
    zone = request.app.state.settings.timezone
    clock_time = parse_until(data.at)
    due = next_local_time(clock_time, zone, now) if clock_time else None
    rescheduled = await service.reschedule_session(
        db_session,
        actor_of(request),
        session_id,
        patient_id=data.patient_id,
        reason=data.reason,
        due=due,
        now=now,
    )
    await broadcaster.patient_changed(rescheduled.patient_id)
    return await _panel(request, db_session, session_id)


@dataclass
class InterruptForm:
    reason: str = ""
    note: str = ""
    patient_id: int | None = None


@post("/sessions/{session_id:int}/interrupt", guards=[requires_role(Role.nurse)], status_code=200)
async def interrupt_session(
    request: Request,
    session_id: FromPath[int],
    data: URLEncodedBody[InterruptForm],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    """From the unit board: the session pauses and the therapist's tablet shows it full-screen."""
    now, today = now_and_today(request)
    interruption = await interruptions.interrupt_session(
        db_session,
        actor_of(request),
        session_id,
        patient_id=data.patient_id,
        reason=data.reason,
        note=data.note,
        now=now,
    )
    await broadcaster.user_changed(interruption.therapist_id)
    await broadcaster.patient_changed(interruption.patient_id)
    card = await patient_card(db_session, interruption.patient_id, now, today)
    if not is_htmx(request):
        return Redirect(f"/units/{card.patient.unit_id}/board", status_code=303)
    return Template(BOARD_ROW, context={"card": card, "oob": False, "can_flag": True})


@post("/interruptions/{interruption_id:int}/acknowledge", guards=therapist_only, status_code=200)
async def acknowledge_interruption(
    request: Request,
    interruption_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    """The overlay goes; on that session's own page the panel comes back, paused, ready to resume or stop."""
    now, _ = now_and_today(request)
    actor = actor_of(request)
    interruption = await interruptions.acknowledge_interruption(db_session, actor, interruption_id, now=now)
    await broadcaster.patient_changed(interruption.patient_id)
    await broadcaster.user_changed(actor.user_id)
    if not is_htmx(request):
        return Redirect(f"/sessions/{interruption.session_id}", status_code=303)
    html = await render_user_screen(db_session, request.app.state.jinja_env, actor.user_id)
    current = getattr(request.htmx, "current_url_abs_path", None) or ""  # type: ignore[attr-defined]
    if current.rstrip("/").endswith(f"/sessions/{interruption.session_id}"):
        view = await service.session_view(db_session, actor, interruption.session_id, audit=False)
        html += render_session_panel(request.app.state.jinja_env, view).replace(
            'id="session-panel"', 'id="session-panel" hx-swap-oob="true"', 1
        )
    return Response(html, media_type="text/html")  # type: ignore[return-value]
