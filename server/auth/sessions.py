"""Server-side sessions, the session-to-Actor lookup, and session-id rotation at sign-in.

Litestar keeps a session's id across sign-in (session fixation); `rotate_session_id` makes the
sign-in response carry a fresh id instead.
"""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.security.session_auth import SessionAuth

from server.auth.actor import Actor
from server.auth.service import load_actor

ROTATE_KEY = "bedside_rotate_session"
NEW_ID_KEY = "bedside_new_session_id"
PUBLIC_PATHS = [
    "^/signin$",
    "^/healthz$",
    "^/readyz$",
    "^/static/",
    "^/sw.js$",
    "^/manifest.webmanifest$",
    "^/favicon.ico$",
    "^/ws/",
]


class RotatingSessionBackend(ServerSideSessionBackend):
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


def device_of(connection: ASGIConnection) -> str:
    host = connection.client.host if connection.client else "?"
    return f"{host} {connection.headers.get('user-agent', '')[:200]}"


async def actor_from_session(session: dict[str, Any], connection: ASGIConnection) -> Actor | None:
    user_id = session.get("user_id")
    if not isinstance(user_id, int):
        return None
    async with connection.app.state.session_maker() as db:
        return await load_actor(db, user_id, device_of(connection))


def make_session_auth(max_age: int, secure: bool) -> SessionAuth[Actor, Any]:
    return SessionAuth[Actor, Any](
        retrieve_user_handler=actor_from_session,
        session_backend_config=RotatingSessionConfig(
            max_age=max_age, secure=secure, httponly=True, samesite="lax", key="bedside_session"
        ),
        exclude=PUBLIC_PATHS,
    )
