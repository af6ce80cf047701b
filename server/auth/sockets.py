"""Admitting a tablet's WebSocket by the one policy table, before the handshake is accepted, and keeping
it only while the sign-in it was opened with holds.

The socket routes are excluded from the session and sign-in middleware (a refused handshake must close
with a code the page understands, not redirect), so each socket handler calls `admit` first: it reads the
session and the person it names in one transaction, checks the route's policy entry (`opt["policy"]`) and
the Origin, and closes with 4401 (sign in) or 4403 (not allowed), which the page's script does not retry.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from litestar import WebSocket
from litestar.datastructures import State
from litestar.exceptions import HTTPException
from litestar.serialization import decode_json
from litestar.stores.base import Store

from server.auth.actor import Actor
from server.auth.policy import check
from server.auth.session_store import DatabaseStore
from server.auth.sessions import is_locked, socket_sign_in, within_shift

log = logging.getLogger("bedside.auth")

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
SIGN_IN_KEY = "bedside_socket_sign_in"
"""Where `admit` leaves the socket's session id and session for `while_signed_in`."""


def same_origin(socket: WebSocket) -> bool:
    """Refuse cross-site WebSocket hijacking: browsers send Origin, and it must be this host."""
    origin = socket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == socket.headers.get("host")


async def admit(socket: WebSocket) -> Actor | None:
    """The signed-in actor if the policy entry named by the socket's route allows them; otherwise the
    handshake is refused before it is accepted (4401 sign in, 4403 not allowed)."""
    session_id, session, actor = await socket_sign_in(socket)
    try:
        check(actor, socket.route_handler.opt["policy"])
    except HTTPException as refusal:
        code = CLOSE_UNAUTHENTICATED if actor is None or actor.locked else CLOSE_FORBIDDEN
        await socket.close(code=code, reason=str(refusal.detail)[:120])
        return None
    if not same_origin(socket):
        await socket.close(code=CLOSE_FORBIDDEN, reason="Not allowed.")
        return None
    socket.scope.setdefault("state", {})[SIGN_IN_KEY] = (session_id, session)  # type: ignore[typeddict-item]
    return actor


async def refuse(socket: WebSocket, reason: str) -> None:
    await socket.close(code=CLOSE_FORBIDDEN, reason=reason)


@asynccontextmanager
async def while_signed_in(socket: WebSocket, until: datetime | None = None) -> AsyncIterator[None]:
    """Keep the socket only as long as the sign-in it was opened with: when the session has lapsed (idle),
    passed its shift or was ended elsewhere, or nobody has used the tablet for BEDSIDE_LOCK_MINUTES (its
    page could not lock itself), close it with 4401 so the tablet asks to sign in or unlock again.
    `until` ends it sooner, with 4403: the end of the break-the-glass grant it was opened under.
    The instance's `SignInWatch` checks every such socket at once, every BEDSIDE_SESSION_CHECK_SECONDS."""
    session_id, session = socket.scope.get("state", {}).get(SIGN_IN_KEY, ("", {}))
    watch: SignInWatch = socket.app.state.sign_in_watch
    watched = Watched(socket, session_id, session, until)
    watch.add(watched)
    try:
        yield
    finally:
        watch.discard(watched)


async def stopped_within(stop: asyncio.Event, seconds: float) -> bool:
    """Wait `seconds` unless told to stop sooner. Background loops stop this way, never by cancelling: a
    task cancelled inside a database call can leave its connection holding SQLite's write lock."""
    with suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
    return stop.is_set()


@dataclass(eq=False)
class Watched:
    """One open socket and the sign-in it was opened with."""

    socket: WebSocket
    session_id: str
    session: dict[str, Any] = field(repr=False)
    until: datetime | None = None


class SignInWatch:
    """This instance's open sockets, checked against their sign-ins all at once: one read of every
    distinct session per interval (one query on the database store), instead of one task and one read
    per socket. A ward of tablets on a few sign-ins then costs a query every 30 s, and each socket no
    more than its entry here."""

    def __init__(self) -> None:
        self._watched: set[Watched] = set()

    def add(self, watched: Watched) -> None:
        self._watched.add(watched)

    def discard(self, watched: Watched) -> None:
        self._watched.discard(watched)

    def __len__(self) -> int:
        return len(self._watched)

    async def run(self, state: State, store: Store, stop: asyncio.Event) -> None:
        """Check every interval until told to stop (by the event, never by cancelling)."""
        while not await stopped_within(stop, state.settings.session_check_seconds):
            try:
                await self.check(state, store)
            except Exception:
                log.exception("checking open sockets' sign-ins failed; trying again")

    async def check(self, state: State, store: Store) -> None:
        """Close every socket whose sign-in no longer holds, or whose break-the-glass grant has ended."""
        watched = list(self._watched)
        if not watched:
            return
        now = state.clock.now()
        stored = await _sessions(store, {w.session_id for w in watched if w.session_id})
        sessions = {session_id: decode_json(value) for session_id, value in stored.items()}
        closing = []
        for w in watched:
            if w.until is not None and now >= w.until:
                closing.append((w, CLOSE_FORBIDDEN, "Your break-the-glass access has ended."))
                continue
            session = sessions.get(w.session_id)
            if session is None or not within_shift(w.session, now, state.settings.session_max_age):
                closing.append((w, CLOSE_UNAUTHENTICATED, "Your sign-in has ended."))
            elif is_locked(session, now, state.settings.lock_minutes):
                closing.append((w, CLOSE_UNAUTHENTICATED, "This tablet is locked."))
        for w, _, _ in closing:
            self.discard(w)
        await asyncio.gather(*(_close(w.socket, code, reason) for w, code, reason in closing))


async def _sessions(store: Store, session_ids: set[str]) -> dict[str, bytes]:
    """The stored sessions of these ids that still exist: in one read on the database store."""
    if isinstance(store, DatabaseStore):
        return await store.get_many(session_ids)
    ids = sorted(session_ids)
    values = await asyncio.gather(*(store.get(session_id) for session_id in ids))
    return {session_id: value for session_id, value in zip(ids, values, strict=True) if value is not None}


async def _close(socket: WebSocket, code: int, reason: str) -> None:
    with suppress(Exception):
        await socket.close(code=code, reason=reason)
