"""JSON API: set and clear availability flags (nurses)."""

from __future__ import annotations

from datetime import datetime

import msgspec
from litestar import Controller, post
from litestar.params import FromPath, JSONBody

from server.auth.policy import requires
from server.availability import service
from server.openapi import api
from server.patients.api import FlagOut, flag_out
from server.web import AppClock, DbSession, SignedIn


class FlagIn(msgspec.Struct):
    kind: str | None = None
    until: datetime | None = None
    """An ISO 8601 time with its offset, e.g. 2026-11-23T14:30:00+00:00."""
    note: str = ""


class FlagApi(Controller):
    path = "/api"
    guards = [requires("availability.write")]

    @post("/patients/{patient_id:int}/flags", status_code=201, responses=api(404, 409, 422))
    async def create_flag(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        patient_id: FromPath[int],
        data: JSONBody[FlagIn],
    ) -> FlagOut:
        now = clock.now()
        change = await service.mark_unavailable(
            db, actor, patient_id, kind=data.kind, until=data.until, note=data.note, now=now
        )
        assert change.flag is not None
        return flag_out(change.flag, now)

    @post("/flags/{flag_id:int}/clear", status_code=200, responses=api(404, 409))
    async def clear_flag(
        self, db: DbSession, actor: SignedIn, clock: AppClock, flag_id: FromPath[int]
    ) -> FlagOut:
        now = clock.now()
        change = await service.clear_flag(db, actor, flag_id, now=now)
        assert change.flag is not None
        return flag_out(change.flag, now)
