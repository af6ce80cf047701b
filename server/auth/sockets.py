"""Admitting a tablet's WebSocket by the one policy table, before the handshake is accepted.

The socket routes are excluded from the sign-in middleware (a refused handshake must close with a code
the page understands, not redirect), so each socket handler calls `admit` first: it reads the session,
checks the route's policy entry (`opt["policy"]`) and the Origin, and closes with 4401 (sign in) or 4403
(not allowed), which the page's script does not retry.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from datetime import datetime
from urllib.parse import urlsplit

from litestar import WebSocket
from litestar.exceptions import HTTPException
from litestar.serialization import decode_json

from server.auth.actor import Actor
from server.auth.policy import check
from server.auth.sessions import SESSION_COOKIE, actor_from_session, is_locked, within_shift

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403


def same_origin(socket: WebSocket) -> bool:
    """Refuse cross-site WebSocket hijacking: browsers send Origin, and it must be this host."""
    origin = socket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == socket.headers.get("host")


async def admit(socket: WebSocket) -> Actor | None:
    """The signed-in actor if the policy entry named by the socket's route allows them; otherwise the
    handshake is refused before it is accepted (4401 sign in, 4403 not allowed)."""
    actor = await actor_from_session(socket.scope.get("session") or {}, socket)
    try:
        check(actor, socket.route_handler.opt["policy"])
    except HTTPException as refusal:
        code = CLOSE_UNAUTHENTICATED if actor is None or actor.locked else CLOSE_FORBIDDEN
        await socket.close(code=code, reason=str(refusal.detail)[:120])
        return None
    if not same_origin(socket):
        await socket.close(code=CLOSE_FORBIDDEN, reason="Not allowed.")
        return None
    return actor


async def refuse(socket: WebSocket, reason: str) -> None:
    await socket.close(code=CLOSE_FORBIDDEN, reason=reason)


@asynccontextmanager
async def while_signed_in(socket: WebSocket, until: datetime | None = None) -> AsyncIterator[None]:
    """Keep the socket only as long as the sign-in it was opened with: when the session has lapsed (idle),
    passed its shift or was ended elsewhere, or nobody has used the tablet for BEDSIDE_LOCK_MINUTES (its
    page could not lock itself), close it with 4401 so the tablet asks to sign in or unlock again.
    `until` ends it sooner, with 4403: the end of the break-the-glass grant it was opened under."""
    stop = asyncio.Event()
    watcher = asyncio.create_task(_watch_sign_in(socket, until, stop))
    try:
        yield
    finally:
        stop.set()
        await watcher


async def stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds` unless told to stop sooner. Background loops stop this way, never by cancelling: a
    task cancelled inside a database call can leave its connection holding SQLite's write lock."""
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


async def _watch_sign_in(socket: WebSocket, until: datetime | None, stop: asyncio.Event) -> None:
    session_id = socket.cookies.get(SESSION_COOKIE, "")
    session = socket.scope.get("session") or {}
    store = socket.app.stores.get("sessions")
    state = socket.app.state
    while True:
        if await stopped_within(stop, state.settings.session_check_seconds):
            return
        now = state.clock.now()
        if until is not None and now >= until:
            with suppress(Exception):
                await socket.close(code=CLOSE_FORBIDDEN, reason="Your break-the-glass access has ended.")
            return
        within = within_shift(session, now, state.settings.session_max_age)
        stored = await store.get(session_id) if session_id else None
        if not within or stored is None:
            with suppress(Exception):
                await socket.close(code=CLOSE_UNAUTHENTICATED, reason="Your sign-in has ended.")
            return
        if is_locked(decode_json(stored), now, state.settings.lock_minutes):
            with suppress(Exception):
                await socket.close(code=CLOSE_UNAUTHENTICATED, reason="This tablet is locked.")
            return
