"""JSON API: set and clear availability flags (nurses)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.guards import requires_role
from server.auth.models import Role
from server.availability import service
from server.patients.api import FlagOut, flag_out
from server.realtime.broadcast import Broadcaster
from server.web import actor_of, now_and_today

nurse_only = [requires_role(Role.nurse)]


class FlagIn(msgspec.Struct):
    kind: str | None = None
    until: datetime | None = None
    """An ISO 8601 time with its offset, e.g. 2026-11-23T14:30:00+00:00."""
    note: str = ""


@post("/api/patients/{patient_id:int}/flags", guards=nurse_only, status_code=201)
async def create_flag(
    request: Request,
    patient_id: FromPath[int],
    data: JSONBody[FlagIn],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> FlagOut:
    now, _ = now_and_today(request)
    change = await service.mark_unavailable(
        db_session, actor_of(request), patient_id, kind=data.kind, until=data.until, note=data.note, now=now
    )
    await broadcaster.patient_changed(patient_id)
    assert change.flag is not None
    return flag_out(change.flag, now)


@post("/api/flags/{flag_id:int}/clear", guards=nurse_only, status_code=200)
async def clear_flag(
    request: Request,
    flag_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
    broadcaster: NamedDependency[Broadcaster],
) -> FlagOut:
    now, _ = now_and_today(request)
    change = await service.clear_flag(db_session, actor_of(request), flag_id, now=now)
    if change.changed:
        await broadcaster.patient_changed(change.patient_id)
    assert change.flag is not None
    return flag_out(change.flag, now)
