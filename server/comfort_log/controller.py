"""The comfort-care log pages and exports. Read-only for everyone; hospice staff see comfort-care patients."""

from __future__ import annotations

import asyncio
from datetime import date

from litestar import Controller, Request, get
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.policy import requires
from server.clock import Clock
from server.comfort_log import exports
from server.comfort_log.service import comfort_log, period
from server.errors import InvalidInput
from server.web import AppClock, DbSession, SignedIn


def _date(value: str | None, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"The {what} date must look like 2026-11-23.") from None


async def _log_context(
    db: AsyncSession,
    actor: Actor,
    clock: Clock,
    patient_id: int,
    start: str | None,
    end: str | None,
    purpose: str,
) -> dict[str, object]:
    first, last = period(_date(start, "start"), _date(end, "end"), clock.today())
    log = await comfort_log(db, actor, patient_id, start=first, end=last, zone=clock.zone, purpose=purpose)
    return {"log": log, "filtered": bool(start or end)}


class ComfortLogPages(Controller):
    """`start` and `end` (dates) choose the period; the last 30 days by default."""

    path = "/comfort-care/{patient_id:int}"
    guards = [requires("comfort_log.read")]

    @get("/")
    async def comfort_log_page(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        patient_id: FromPath[int],
        start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
    ) -> Template:
        context = await _log_context(db, actor, clock, patient_id, start, end, "read")
        return Template("pages/comfort_log.html", context=context)

    @get("/print")
    async def comfort_log_print(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        patient_id: FromPath[int],
        start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
    ) -> Template:
        context = await _log_context(db, actor, clock, patient_id, start, end, "print")
        return Template("pages/comfort_log_print.html", context=context)

    @get("/log.pdf")
    async def comfort_log_pdf(
        self,
        request: Request,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        patient_id: FromPath[int],
        start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
    ) -> Response[bytes]:
        context = await _log_context(db, actor, clock, patient_id, start, end, "export PDF")
        pdf = await asyncio.to_thread(exports.log_pdf, request.app.state.jinja_env, context)
        return Response(
            pdf,
            media_type="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="comfort-care-log-{patient_id}.pdf"'},
        )

    @get("/log.csv")
    async def comfort_log_csv(
        self,
        db: DbSession,
        actor: SignedIn,
        clock: AppClock,
        patient_id: FromPath[int],
        start: FromQuery[str | None] = None,
        end: FromQuery[str | None] = None,
    ) -> Response[str]:
        context = await _log_context(db, actor, clock, patient_id, start, end, "export CSV")
        body = exports.log_csv(context["log"], lambda moment: clock.local(moment).strftime("%Y-%m-%d %H:%M"))  # type: ignore[arg-type]
        return Response(
            body,
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="comfort-care-log-{patient_id}.csv"'},
        )
