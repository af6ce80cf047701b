"""Small helpers every controller shares: the acting user, the clock, and htmx-or-page responses."""

from __future__ import annotations

from datetime import date, datetime

from litestar import Request
from litestar.plugins.htmx import HTMXRequest

from server.auth.actor import Actor


def actor_of(request: Request) -> Actor:
    return request.user  # type: ignore[no-any-return]


def now_and_today(request: Request) -> tuple[datetime, date]:
    clock = request.app.state.clock
    now = clock.now()
    return now, clock.local(now).date()


def is_htmx(request: Request) -> bool:
    return isinstance(request, HTMXRequest) and bool(request.htmx)
