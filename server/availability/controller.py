"""Nurses' one-tap availability actions, from the unit board (htmx swap or plain form post)."""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Controller, Request, post
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Response
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.policy import requires
from server.availability import service
from server.clock import Clock
from server.openapi import HTML, page
from server.patients.fragments import render_board_row
from server.patients.service import patient_card
from server.web import AppClock, DbSession, SignedIn, html, is_htmx, parse_clock_time


@dataclass
class UnavailableForm:
    kind: str = ""
    until: str = ""
    note: str = ""


async def _board_row(
    request: Request, db: AsyncSession, clock: Clock, patient_id: int, unit_id: int
) -> Response | Redirect:
    if not is_htmx(request):
        return Redirect(f"/units/{unit_id}/board", status_code=303)
    card = await patient_card(db, patient_id, *clock.reading())
    return html(render_board_row(request.app.state.jinja_env, card, oob=False, can_flag=True))


class FlagPages(Controller):
    path = "/patients/{patient_id:int}"
    guards = [requires("availability.write")]

    @post("/unavailable", status_code=200, media_type=HTML, responses=page(404, 409, 422))
    async def mark_unavailable(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        patient_id: FromPath[int],
        data: URLEncodedBody[UnavailableForm],
    ) -> Response | Redirect:
        clock_time = parse_clock_time(data.until)
        until = clock.next_local_time(clock_time) if clock_time else None
        change = await service.mark_unavailable(
            db, actor, patient_id, kind=data.kind, until=until, note=data.note, now=clock.now()
        )
        return await _board_row(request, db, clock, patient_id, change.unit_id)

    @post("/available", status_code=200, media_type=HTML, responses=page(404, 409))
    async def mark_available(
        self, request: Request, db: DbSession, actor: SignedIn, clock: AppClock, patient_id: FromPath[int]
    ) -> Response | Redirect:
        change = await service.mark_available(db, actor, patient_id, now=clock.now())
        return await _board_row(request, db, clock, patient_id, change.unit_id)
