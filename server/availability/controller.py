"""Nurses' one-tap availability actions, from the unit board (htmx swap or plain form post)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, URLEncodedBody
from litestar.response import Redirect, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.guards import requires_role
from server.auth.models import Role
from server.availability import service
from server.clock import next_local_time
from server.errors import InvalidInput
from server.patients.fragments import BOARD_ROW
from server.patients.service import patient_card
from server.realtime.broadcast import Broadcaster
from server.web import actor_of, is_htmx, now_and_today


@dataclass
class UnavailableForm:
    kind: str = ""
    until: str = ""
    note: str = ""


def parse_until(value: str) -> time | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a time; use hours and minutes, like 14:30.") from None


async def _board_row_response(
    request: Request, db: AsyncSession, patient_id: FromPath[int], unit_id: int
) -> Template | Redirect:
    if not is_htmx(request):
        return Redirect(f"/units/{unit_id}/board", status_code=303)
    now, today = now_and_today(request)
    card = await patient_card(db, patient_id, now, today)
    return Template(BOARD_ROW, context={"card": card, "oob": False, "can_flag": True})


@post("/patients/{patient_id:int}/unavailable", guards=[requires_role(Role.nurse)], status_code=200)
async def mark_unavailable(
    request: Request,
    patient_id: FromPath[int],
    data: URLEncodedBody[UnavailableForm],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    now, _ = now_and_today(request)
    zone = request.app.state.settings.timezone
    clock_time = parse_until(data.until)
    until = next_local_time(clock_time, zone, now) if clock_time else None
    change = await service.mark_unavailable(
        db_session, actor_of(request), patient_id, kind=data.kind, until=until, note=data.note, now=now
    )
    await broadcaster.patient_changed(patient_id)
    return await _board_row_response(request, db_session, patient_id, change.unit_id)


@post("/patients/{patient_id:int}/available", guards=[requires_role(Role.nurse)], status_code=200)
async def mark_available(
    request: Request,
    patient_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> Template | Redirect:
    now, _ = now_and_today(request)
    change = await service.mark_available(db_session, actor_of(request), patient_id, now=now)
    if change.changed:
        await broadcaster.patient_changed(patient_id)
    return await _board_row_response(request, db_session, patient_id, change.unit_id)
