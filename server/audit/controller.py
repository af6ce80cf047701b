"""The administrator's audit-log viewer."""

from __future__ import annotations

from litestar import Controller, get
from litestar.response import Template

from server.audit.service import recent_audit_events
from server.auth.policy import requires
from server.web import DbSession, SignedIn


class AuditPages(Controller):
    path = "/admin/audit"
    guards = [requires("audit.read")]

    @get("/")
    async def audit_log_page(self, db: DbSession, actor: SignedIn) -> Template:
        events = await recent_audit_events(db, actor)
        return Template("pages/audit.html", context={"events": events})
