"""The comfort-care log pages and exports. Read-only for everyone; hospice staff see comfort-care patients."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from litestar import Controller, Request, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Response, Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.policy import requires
from server.changes import current_seqs
from server.clock import Clock
from server.comfort_log import exports
from server.comfort_log.service import comfort_log, period
from server.openapi import CSV, PDF, page
from server.realtime.stream import number_marks
from server.web import AppClock, DbSession, SignedIn, parse_day


@dataclass(frozen=True)
class LogRequest:
    """One reading of the log: whose, for which period (`start`/`end`, the last 30 days by default)."""

    db: AsyncSession
    actor: Actor
    clock: Clock
    patient_id: int
    start: str | None
    end: str | None

    async def context(self, purpose: str) -> dict[str, object]:
        """The log for the page, print, PDF or CSV; each reading is audited with its purpose."""
        first, last = period(parse_day(self.start, "start"), parse_day(self.end, "end"), self.clock.today())
        numbers = await current_seqs(self.db, None)  # before the log: see server.realtime.stream.page_markers
        log = await comfort_log(
            self.db, self.actor, self.patient_id, start=first, end=last, zone=self.clock.zone, purpose=purpose
        )
        live_seqs = number_marks({unit: seq for unit, seq in numbers.items() if unit == log.patient.unit_id})
        return {"log": log, "filtered": bool(self.start or self.end), "live_seqs": live_seqs}


async def provide_log(
    db: DbSession,
    actor: SignedIn,
    clock: AppClock,
    patient_id: FromPath[int],
    start: FromQuery[str | None] = None,
    end: FromQuery[str | None] = None,
) -> LogRequest:
    return LogRequest(db, actor, clock, patient_id, start, end)


Log = NamedDependency[LogRequest]


def _download(body: bytes | str, media_type: str, patient_id: int, extension: str) -> Response:
    name = f"comfort-care-log-{patient_id}.{extension}"
    return Response(
        body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


class ComfortLogPages(Controller):
    path = "/comfort-care/{patient_id:int}"
    guards = [requires("comfort_log.read")]
    dependencies = {"log": Provide(provide_log)}

    @get("/", responses=page(404, 422))
    async def comfort_log_page(self, log: Log) -> Template:
        return Template("pages/comfort_log.html", context=await log.context("read"))

    @get("/print", responses=page(404, 422))
    async def comfort_log_print(self, log: Log) -> Template:
        return Template("pages/comfort_log_print.html", context=await log.context("print"))

    @get("/log.pdf", media_type=PDF, responses=page(404, 422))
    async def comfort_log_pdf(self, request: Request, log: Log) -> Response[bytes]:
        context = await log.context("export PDF")
        pdf = await asyncio.to_thread(exports.log_pdf, request.app.state.jinja_env, context)
        return _download(pdf, "application/pdf", log.patient_id, "pdf")

    @get("/log.csv", media_type=CSV, responses=page(404, 422))
    async def comfort_log_csv(self, log: Log) -> Response[str]:
        context = await log.context("export CSV")
        body = exports.log_csv(
            context["log"], lambda moment: log.clock.local(moment).strftime("%Y-%m-%d %H:%M")
        )  # type: ignore[arg-type]
        return _download(body, "text/csv; charset=utf-8", log.patient_id, "csv")
