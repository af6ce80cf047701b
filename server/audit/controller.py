"""The administrator's audit-log viewer."""

from __future__ import annotations

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.response import Template
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import recent_audit_events
from server.auth.guards import requires_role
from server.auth.models import Role
from server.web import actor_of


@get("/admin/audit", guards=[requires_role(Role.admin)])
async def audit_log_page(request: Request, db_session: NamedDependency[AsyncSession]) -> Template:
    events = await recent_audit_events(db_session, actor_of(request))
    return Template("pages/audit.html", context={"events": events})
