"""What every controller is given (the acting user, the clock) and how htmx requests are told apart."""

from __future__ import annotations

from datetime import date, time

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Response
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.clock import Clock
from server.errors import InvalidInput


def provide_actor(request: Request) -> Actor:
    """The signed-in person; the policy guard has already refused anyone else."""
    return request.user  # type: ignore[no-any-return]


def provide_clock(state: State) -> Clock:
    return state.clock  # type: ignore[no-any-return]


def is_htmx(request: Request) -> bool:
    return isinstance(request, HTMXRequest) and bool(request.htmx)


def html(fragment: str, status_code: int = 200) -> Response[str]:
    """An htmx reply: a fragment rendered by its area's one renderer (the same the page and pushes use)."""
    return Response(fragment, media_type="text/html", status_code=status_code)


def parse_day(value: str | None, what: str) -> date | None:
    """A calendar day from a form or query ("2026-11-23"); empty means none."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"The {what} date must look like 2026-11-23.") from None


def parse_clock_time(value: str) -> time | None:
    """A wall-clock time typed on a form ("14:30"); empty means none."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{value!r} is not a time; use hours and minutes, like 14:30.") from None


DbSession = NamedDependency[AsyncSession]
"""The request's unit of work: committed changes are published when it closes."""
SignedIn = NamedDependency[Actor]
AppClock = NamedDependency[Clock]
