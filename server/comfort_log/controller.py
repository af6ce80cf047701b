"""The comfort-care log pages and exports. Read-only for everyone; hospice staff see comfort-care patients."""

from __future__ import annotations

import asyncio
from datetime import date

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.guards import requires_role
from server.auth.models import Role
from server.clock import to_local
from server.comfort_log import exports
from server.comfort_log.service import comfort_log, period
from server.errors import InvalidInput
from server.web import actor_of, now_and_today

log_readers = [requires_role(Role.hospice, Role.nurse, Role.physician, Role.therapist)]


def _date(value: str | None, what: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"The {what} date must look like 2026-11-23.") from None


async def _log_context(
    request: Request, db: AsyncSession, patient_id: int, start: str | None, end: str | None, purpose: str
) -> dict[str, object]:
    _, today = now_and_today(request)
    first, last = period(_date(start, "start"), _date(end, "end"), today)
    zone = request.app.state.settings.timezone
    log = await comfort_log(
        db, actor_of(request), patient_id, start=first, end=last, zone=zone, purpose=purpose
    )
    return {"log": log, "filtered": bool(start or end)}


@get("/comfort-care/{patient_id:int}", guards=log_readers)
async def comfort_log_page(
    request: Request,
    patient_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
    start: FromQuery[str | None] = None,
    end: FromQuery[str | None] = None,
) -> Template:
    context = await _log_context(request, db_session, patient_id, start, end, "read")
    return Template("pages/comfort_log.html", context=context)


@get("/comfort-care/{patient_id:int}/print", guards=log_readers)
async def comfort_log_print(
    request: Request,
    patient_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
    start: FromQuery[str | None] = None,
    end: FromQuery[str | None] = None,
) -> Template:
    context = await _log_context(request, db_session, patient_id, start, end, "print")
    return Template("pages/comfort_log_print.html", context=context)


@get("/comfort-care/{patient_id:int}/log.pdf", guards=log_readers)
async def comfort_log_pdf(
    request: Request,
    patient_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
    start: FromQuery[str | None] = None,
    end: FromQuery[str | None] = None,
) -> Response[bytes]:
    context = await _log_context(request, db_session, patient_id, start, end, "export PDF")
    pdf = await asyncio.to_thread(exports.log_pdf, request.app.state.jinja_env, context)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="comfort-care-log-{patient_id}.pdf"'},
    )


@get("/comfort-care/{patient_id:int}/log.csv", guards=log_readers)
async def comfort_log_csv(
    request: Request,
    patient_id: FromPath[int],
    db_session: NamedDependency[AsyncSession],
    start: FromQuery[str | None] = None,
    end: FromQuery[str | None] = None,
) -> Response[str]:
    context = await _log_context(request, db_session, patient_id, start, end, "export CSV")
    zone = request.app.state.settings.timezone
    body = exports.log_csv(context["log"], lambda moment: to_local(moment, zone).strftime("%Y-%m-%d %H:%M"))  # type: ignore[arg-type]
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="comfort-care-log-{patient_id}.csv"'},
    )
