"""Server-side sessions, the session-to-Actor lookup, and session-id rotation at sign-in.

Litestar keeps a session's id across sign-in (session fixation); `rotate_session_id` makes the
sign-in response carry a fresh id instead.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.exceptions import SerializationException
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.security.session_auth import SessionAuth
from litestar.serialization import decode_json
from litestar.stores.base import Store
from sqlmodel.ext.asyncio.session import AsyncSession

from server.auth.actor import Actor
from server.auth.service import load_actor, load_actors, lock
from server.auth.session_store import DatabaseStore
from server.db import unit_of_work
from server.realtime.snapshots import SharedReads

SESSION_COOKIE = "bedside_session"
ROTATE_KEY = "bedside_rotate_session"
NEW_ID_KEY = "bedside_new_session_id"
LOADED_KEY = "bedside_loaded_session"
"""The session's stored bytes as this request loaded them, to tell whether the response must save it."""
PUBLIC_PATHS = [
    "^/signin$",
    "^/healthz$",
    "^/readyz$",
    "^/static/",
    "^/sw.js$",
    "^/manifest.webmanifest$",
    "^/favicon.ico$",
    "^/offline$",
    "^/ws/",
]
SESSIONLESS_PATHS = [path for path in PUBLIC_PATHS if path != "^/signin$"]
"""Files and probes that never read the sign-in: the session middleware leaves them alone. Otherwise each
answer would store the session and set its cookie again, and one still on its way when the sign-in
answers (a style sheet, the service worker) would put back the id from before sign-in: signed out.
Sockets read their session themselves (`socket_sign_in`) and never save it."""


class RotatingSessionBackend(ServerSideSessionBackend):
    """Rotates the id at sign-in, and saves a session only when the request changed it: most requests
    (a score, a page) change nothing but `ACTIVE_AT`, which is written at most every `ACTIVE_AT_EVERY`.
    Saving each answer was a write transaction per request, and on SQLite one more wait for the write lock."""

    async def load_from_connection(self, connection: ASGIConnection) -> dict[str, Any]:
        state = connection.scope.setdefault("state", {})  # type: ignore[typeddict-item]
        state.pop(LOADED_KEY, None)
        if session_id := connection.cookies.get(self.config.key):
            store = self.config.get_store_from_app(connection.scope["app"])
            data = await self.get(session_id, store=store)
            if data is not None:
                state[LOADED_KEY] = data
                return self.deserialize_data(data)
        return {}

    async def store_in_message(self, scope_session: Any, message: Any, connection: ASGIConnection) -> None:
        state = connection.scope.get("state", {})
        loaded = state.get(LOADED_KEY)
        unchanged = (
            loaded is not None
            and isinstance(scope_session, dict)
            and not state.get(ROTATE_KEY)
            and self.serialize_data(scope_session, connection.scope) == loaded
        )
        if not unchanged:
            await super().store_in_message(scope_session, message, connection)

    def get_session_id(self, connection: ASGIConnection) -> str:
        state = connection.scope.setdefault("state", {})  # type: ignore[typeddict-item]
        if state.get(ROTATE_KEY):
            if NEW_ID_KEY not in state:
                state[NEW_ID_KEY] = self.generate_session_id()
            return str(state[NEW_ID_KEY])
        return super().get_session_id(connection)


class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend


def rotate_session_id(connection: ASGIConnection) -> None:
    connection.scope.setdefault("state", {})[ROTATE_KEY] = True  # type: ignore[typeddict-item]


def client_address(connection: ASGIConnection) -> str:
    """The client's address as uvicorn sees it (behind a load balancer, run it with --proxy-headers)."""
    return connection.client.host if connection.client else "?"


def device_of(connection: ASGIConnection) -> str:
    return f"{client_address(connection)} {connection.headers.get('user-agent', '')[:200]}"


def new_sign_in(user_id: int, generation: int, now: datetime) -> dict[str, Any]:
    """What a session holds: who, when they signed in (for the absolute limit), the account's sign-in
    generation (a password change ends the earlier ones), an id for this sign-in alone (its sockets'
    channel) and when the tablet was last used (`ACTIVE_AT`); `locked` is added while it is locked."""
    return {
        "user_id": user_id,
        "signed_in_at": now.isoformat(),
        "generation": generation,
        "sign_in_id": secrets.token_urlsafe(12),
        ACTIVE_AT: now.isoformat(),
    }


ACTIVE_AT_EVERY = timedelta(seconds=10)
"""How stale the stored `ACTIVE_AT` may be before a request writes it again (with the session, whose idle
expiry it renews too). So the server may see a tablet as idle up to this much early: it then treats it
as locked at least BEDSIDE_LOCK_MINUTES + LOCK_GRACE - ACTIVE_AT_EVERY after its last use, still after
the page's own lock, and signs it out at most this much before BEDSIDE_IDLE_MINUTES."""

ACTIVE_AT = "active_at"
"""The session's key for the last time the tablet was used, by the app's clock: any signed-in request
(a page, a form, an htmx step, or the page's "still in use" note sent at most once a minute while the
screen is touched). Sockets do not count: a screen left open on a bed table stays live, and idle."""
LOCK_GRACE = timedelta(seconds=30)
"""How much longer than BEDSIDE_LOCK_MINUTES the server waits before it treats a quiet tablet as locked.
The page locks itself at BEDSIDE_LOCK_MINUTES, and reports every touch within a minute of it (so the
server never knows of less use than there was); the grace is for a request that left the tablet just
before its lock and arrives after it, over a slow ward network or a queued retry. A request that arrives
later than that is refused as locked: the lock has happened on the screen anyway."""


def idle_too_long(session: dict[str, Any], now: datetime, lock_minutes: int) -> bool:
    """Nobody has used this tablet for BEDSIDE_LOCK_MINUTES and the grace: the server treats it as locked
    even if the page could not lock itself (its script stopped, the tablet slept)."""
    try:
        active_at = datetime.fromisoformat(str(session.get(ACTIVE_AT) or session.get("signed_in_at")))
    except ValueError:
        return True
    return now - active_at > timedelta(minutes=lock_minutes) + LOCK_GRACE


def is_locked(session: dict[str, Any], now: datetime, lock_minutes: int) -> bool:
    return bool(session.get("locked")) or idle_too_long(session, now, lock_minutes)


def within_shift(session: dict[str, Any], now: datetime, max_age: int) -> bool:
    """A sign-in lasts at most `max_age` seconds from signing in, however active: one shift."""
    try:
        signed_in_at = datetime.fromisoformat(str(session.get("signed_in_at")))
    except ValueError:
        return False
    return now - signed_in_at < timedelta(seconds=max_age)


async def actor_from_session(session: dict[str, Any], connection: ASGIConnection) -> Actor | None:
    """The signed-in person, or none: no session, the absolute limit passed (the session store has
    already dropped one idle too long), the account deactivated or its password changed since.

    A request counts as use of the tablet (`ACTIVE_AT`, renewed when older than `ACTIVE_AT_EVERY`: the
    response saves the session only when it changed). One that arrives after BEDSIDE_LOCK_MINUTES without
    use finds the tablet locked: the session is marked locked, the lock audited and the sign-in's sockets
    closed, as if Lock had been tapped."""
    state = connection.app.state
    now = state.clock.now()
    async with state.read_session_maker() as db:
        actor = await _signed_in_actor(db, session, connection, now)
    if actor is None or connection.scope["type"] != "http":
        return actor  # a socket's handshake is no use of the tablet, and cannot save the session
    already_locked = bool(session.get("locked"))
    locked = actor.locked
    if locked and not already_locked:
        session["locked"] = True
        async with unit_of_work(state) as db:
            await lock(db, actor, detail="nobody used the tablet")
    elif not locked and not _active_since(session, now - ACTIVE_AT_EVERY):
        session[ACTIVE_AT] = now.isoformat()
    return actor


async def _signed_in_actor(
    db: AsyncSession, session: dict[str, Any], connection: ASGIConnection, now: datetime
) -> Actor | None:
    """The session's person as of `now`, `locked` set if the tablet is locked; none if the sign-in no
    longer holds (no session, past its shift, account deactivated or its password changed since)."""
    user_id = session.get("user_id")
    if not isinstance(user_id, int) or not within_shift(
        session, now, connection.app.state.settings.session_max_age
    ):
        return None
    return _holding(await load_actor(db, user_id), session, connection, now)


def _holding(
    actor: Actor | None, session: dict[str, Any], connection: ASGIConnection, now: datetime
) -> Actor | None:
    """The session's person if its sign-in still holds (same password generation), as of `now`."""
    if actor is None or session.get("generation", 0) != actor.sign_in_generation:
        return None
    locked = is_locked(session, now, connection.app.state.settings.lock_minutes)
    return replace(
        actor, device=device_of(connection), sign_in_id=str(session.get("sign_in_id", "")), locked=locked
    )


async def socket_sign_in(connection: ASGIConnection) -> tuple[str, dict[str, Any], Actor | None]:
    """A socket's session id, session and person. The session middleware leaves sockets alone (it read
    the session in a transaction of its own and wrapped every frame the socket sent); sockets that open
    at the same time are read together instead (`SocketSignIns`): a shift change opens every tablet's
    socket at once."""
    session_id = connection.cookies.get(SESSION_COOKIE, "")
    if not session_id:
        return "", {}, None
    state = connection.app.state
    sign_ins: SocketSignIns = state.socket_sign_ins
    stored, people = await sign_ins.read(state, connection.app.stores.get("sessions"), session_id)
    session = _decoded(stored)
    user_id = session.get("user_id")
    now = state.clock.now()
    if not isinstance(user_id, int) or not within_shift(session, now, state.settings.session_max_age):
        return session_id, session, None
    return session_id, session, _holding(people.get(user_id), session, connection, now)


SignInRead = tuple[dict[str, bytes], dict[int, Actor]]
"""Sessions by id, and the people they name by user id."""


class SocketSignIns:
    """The sessions and people of the sockets that open at the same time, read in one transaction (two
    queries, whatever their number): a shift change otherwise read one session and one person per
    socket. The sockets that ask while a read runs share the next one (`SharedReads`), which begins
    after each of them asked. Not a cache: every socket's sign-in is read after its handshake began."""

    def __init__(self) -> None:
        self._shared = SharedReads()

    @property
    def reads(self) -> int:
        return self._shared.reads

    async def read(
        self, state: State, store: Store, session_id: str
    ) -> tuple[bytes | None, dict[int, Actor]]:
        async def read(session_ids: set[str]) -> SignInRead:
            return await self._read(state, store, session_ids)

        sessions, people = await self._shared.read_for("sign-ins", session_id, read)
        return sessions.get(session_id), people

    async def _read(self, state: State, store: Store, session_ids: set[str]) -> SignInRead:
        async with state.read_session_maker() as db:
            if isinstance(store, DatabaseStore):
                sessions = await store.read_many_in(db, session_ids)
            else:
                ids = sorted(session_ids)
                found = await asyncio.gather(*(store.get(session_id) for session_id in ids))
                sessions = {i: value for i, value in zip(ids, found, strict=True) if value is not None}
            user_ids = {_decoded(value).get("user_id") for value in sessions.values()}
            people = await load_actors(db, {u for u in user_ids if isinstance(u, int)})
        return sessions, people


def _decoded(stored: bytes | None) -> dict[str, Any]:
    if stored is None:
        return {}
    try:
        session = decode_json(stored)
    except SerializationException:
        return {}
    return session if isinstance(session, dict) else {}


def _active_since(session: dict[str, Any], since: datetime) -> bool:
    try:
        return datetime.fromisoformat(str(session.get(ACTIVE_AT))) > since
    except ValueError:
        return False


def make_session_auth(idle_seconds: int, secure: bool) -> SessionAuth[Actor, Any]:
    """Server-side sessions that lapse after `idle_seconds` without a request: each response renews
    the stored session and the cookie for that long, never past the absolute limit (checked above)."""
    return SessionAuth[Actor, Any](
        retrieve_user_handler=actor_from_session,
        session_backend_config=RotatingSessionConfig(
            max_age=idle_seconds,
            secure=secure,
            httponly=True,
            samesite="strict",
            key=SESSION_COOKIE,
            exclude=SESSIONLESS_PATHS,
        ),
        exclude=PUBLIC_PATHS,
    )
