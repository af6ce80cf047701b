"""The administrator's audit-log viewer: filter by user, patient, action and period; export as CSV."""

from __future__ import annotations

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import FromQuery
from litestar.response import Response, Template

from server.audit.service import AuditQuery, audit_csv, find_audit_events
from server.auth.policy import requires
from server.errors import InvalidInput
from server.openapi import CSV, page
from server.web import AppClock, DbSession, SignedIn, parse_day


def _patient(value: str | None) -> int | None:
    if not value:
        return None
    if not value.strip().isdigit():
        raise InvalidInput("A patient is chosen by their number in Bedside (the chart's address).")
    return int(value)


def audit_query(
    user: FromQuery[str | None] = None,
    patient: FromQuery[str | None] = None,
    action: FromQuery[str | None] = None,
    start: FromQuery[str | None] = None,
    end: FromQuery[str | None] = None,
) -> AuditQuery:
    return AuditQuery(
        user or "",
        _patient(patient),
        (action or "").upper(),
        parse_day(start, "start"),
        parse_day(end, "end"),
    )


Search = NamedDependency[AuditQuery]


class AuditPages(Controller):
    path = "/admin/audit"
    guards = [requires("audit.read")]
    dependencies = {"search": Provide(audit_query, sync_to_thread=False)}

    @get("/", responses=page(422))
    async def audit_log_page(self, db: DbSession, actor: SignedIn, search: Search) -> Template:
        events = await find_audit_events(db, actor, search)
        return Template("pages/audit.html", context={"events": events, "query": search})

    @get("/audit.csv", media_type=CSV, responses=page(422))
    async def audit_log_csv(
        self, db: DbSession, actor: SignedIn, clock: AppClock, search: Search
    ) -> Response[str]:
        events = await find_audit_events(db, actor, search, purpose="export CSV", limit=100_000)
        return Response(
            audit_csv(events, clock.local),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="audit-log.csv"'},
        )
