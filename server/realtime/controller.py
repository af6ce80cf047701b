"""WebSockets: one per screen. Each authenticates with the session cookie, checks role and unit,
subscribes, sends the screen's current state, then forwards pushes until the tablet goes away.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager, suppress
from urllib.parse import urlsplit

from litestar import WebSocket, websocket
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath
from sqlmodel.ext.asyncio.session import AsyncSession

from server.audit.service import AuditAction, record_audit
from server.auth.actor import Actor
from server.auth.guards import CLINICAL_READERS
from server.auth.models import Role
from server.auth.sessions import actor_from_session
from server.errors import BedsideError
from server.patients.fragments import render_availability_banner, render_board_row
from server.patients.service import get_patient_for, patient_card, therapist_worklist, unit_board
from server.realtime.broadcast import (
    board_channel,
    comfort_log_channel,
    patient_channel,
    render_comfort_log,
    render_presence,
    render_user_screen,
    user_channel,
    worklist_channel,
)
from server.realtime.hub import STALE, LocalHub, Subscriber
from server.realtime.presence import (
    PRESENCE_REFRESH_SECONDS,
    tablet_connected,
    tablet_disconnected,
    tablet_seen,
)

log = logging.getLogger("bedside.realtime")

CLOSE_UNAUTHENTICATED = 4401
CLOSE_FORBIDDEN = 4403
CLOSE_TRY_AGAIN = 1013
BOARD_ROLES = (Role.nurse, Role.physician)


def same_origin(socket: WebSocket) -> bool:
    """Refuse cross-site WebSocket hijacking: browsers send Origin, and it must be this host."""
    origin = socket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == socket.headers.get("host")


async def admit(socket: WebSocket, roles: tuple[Role, ...]) -> Actor | None:
    """The signed-in actor if their role may open this socket; otherwise refuse before accepting."""
    actor = await actor_from_session(socket.scope.get("session") or {}, socket)
    if actor is None:
        await socket.close(code=CLOSE_UNAUTHENTICATED, reason="Sign in first.")
        return None
    if actor.role not in roles or not same_origin(socket):
        await socket.close(code=CLOSE_FORBIDDEN, reason="Not allowed.")
        return None
    return actor


async def stream(socket: WebSocket, names: list[str], snapshot: Callable[[], Awaitable[str]]) -> None:
    """Subscribe first, then send the current state, so no change falls between the two; then forward
    pushes while watching for the tablet to go away."""
    hub: LocalHub = socket.app.state.hub
    await socket.accept()
    async with hub.subscribe(names) as subscriber:
        try:
            await socket.send_text(await snapshot())
        except WebSocketDisconnect:
            return
        reader = asyncio.create_task(_until_disconnect(socket))
        writer = asyncio.create_task(_forward(socket, subscriber))
        try:
            await asyncio.wait({reader, writer}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (reader, writer):
                task.cancel()
            await asyncio.gather(reader, writer, return_exceptions=True)


async def _until_disconnect(socket: WebSocket) -> None:
    with suppress(WebSocketDisconnect):
        while True:
            await socket.receive_text()


async def _forward(socket: WebSocket, subscriber: Subscriber) -> None:
    while True:
        html = await subscriber.queue.get()
        if html is STALE:
            log.warning("a tablet fell behind; closing its socket so it resynchronises")
            with suppress(Exception):
                await socket.close(code=CLOSE_TRY_AGAIN, reason="Fell behind; reconnect.")
            return
        try:
            await socket.send_text(html)
        except Exception:
            return


async def _audit_stream(db: AsyncSession, actor: Actor, what: str, patient_id: int | None = None) -> None:
    record_audit(db, actor, AuditAction.read, what, patient_id=patient_id, detail="live stream opened")
    await db.commit()


@websocket("/ws/worklist", opt={"roles": (Role.therapist,)})
async def worklist_socket(socket: WebSocket) -> None:
    actor = await admit(socket, (Role.therapist,))
    if actor is None:
        return
    env = socket.app.state.jinja_env
    clock = socket.app.state.clock

    async def snapshot() -> str:
        now = clock.now()
        async with socket.app.state.session_maker() as db:
            cards = await therapist_worklist(db, actor, now, clock.local(now).date())
            own_screen = await render_user_screen(db, env, actor.user_id)
        return env.get_template("partials/worklist.html").render(cards=cards, oob=True) + own_screen

    channels = [worklist_channel(u) for u in sorted(actor.unit_ids)] + [user_channel(actor.user_id)]
    async with therapist_present(socket, actor):
        await stream(socket, channels, snapshot)


@asynccontextmanager
async def therapist_present(socket: WebSocket, actor: Actor) -> AsyncIterator[None]:
    """While a therapist's page has its socket open, the unit boards show their tablet as connected."""
    if actor.role != Role.therapist:
        yield
        return
    socket_id = uuid.uuid4().hex
    broadcaster = socket.app.state.broadcaster
    async with socket.app.state.session_maker() as db:
        await tablet_connected(db, actor, socket_id, socket.app.state.clock.now())
    await broadcaster.presence_changed(actor.unit_ids)
    heartbeat = asyncio.create_task(_keep_present(socket, socket_id))
    try:
        yield
    finally:
        heartbeat.cancel()
        async with socket.app.state.session_maker() as db:
            await tablet_disconnected(db, socket_id)
        await broadcaster.presence_changed(actor.unit_ids)


async def _keep_present(socket: WebSocket, socket_id: str) -> None:
    """Refresh this tablet's presence while its socket is open (it lapses if the instance dies)."""
    while True:
        await asyncio.sleep(PRESENCE_REFRESH_SECONDS)
        with suppress(Exception):
            async with socket.app.state.session_maker() as db:
                await tablet_seen(db, socket_id, socket.app.state.clock.now())


@websocket("/ws/units/{unit_id:int}/board", opt={"roles": BOARD_ROLES})
async def board_socket(socket: WebSocket, unit_id: FromPath[int]) -> None:
    actor = await admit(socket, BOARD_ROLES)
    if actor is None:
        return
    if not actor.works_on(unit_id):
        await socket.close(code=CLOSE_FORBIDDEN, reason="Not your unit.")
        return
    can_flag = actor.role == Role.nurse
    env = socket.app.state.jinja_env
    clock = socket.app.state.clock

    async def snapshot() -> str:
        now = clock.now()
        async with socket.app.state.session_maker() as db:
            _, cards = await unit_board(db, actor, unit_id, now, clock.local(now).date())
            presence = await render_presence(db, env, unit_id, now)
        return "".join(render_board_row(env, card, oob=True, can_flag=can_flag) for card in cards) + presence

    await stream(socket, [board_channel(unit_id, can_flag=can_flag)], snapshot)


@websocket("/ws/patients/{patient_id:int}", opt={"roles": CLINICAL_READERS})
async def patient_socket(socket: WebSocket, patient_id: FromPath[int]) -> None:
    actor = await admit(socket, CLINICAL_READERS)
    if actor is None:
        return
    async with socket.app.state.session_maker() as db:
        try:
            await get_patient_for(db, actor, patient_id)
        except BedsideError:
            await socket.close(code=CLOSE_FORBIDDEN, reason="Not your patient.")
            return
        await _audit_stream(db, actor, "Patient", patient_id)
    env = socket.app.state.jinja_env
    clock = socket.app.state.clock

    async def snapshot() -> str:
        now = clock.now()
        async with socket.app.state.session_maker() as db:
            card = await patient_card(db, patient_id, now, clock.local(now).date())
            own_screen = (
                await render_user_screen(db, env, actor.user_id) if actor.role == Role.therapist else ""
            )
        return render_availability_banner(env, card, oob=True) + own_screen

    channels = [patient_channel(patient_id)]
    if actor.role == Role.therapist:
        channels.append(user_channel(actor.user_id))
    async with therapist_present(socket, actor):
        await stream(socket, channels, snapshot)


@websocket("/ws/patients/{patient_id:int}/comfort-log", opt={"roles": CLINICAL_READERS})
async def comfort_log_socket(socket: WebSocket, patient_id: FromPath[int]) -> None:
    """The comfort-care log, live: a new score or session redraws it."""
    actor = await admit(socket, CLINICAL_READERS)
    if actor is None:
        return
    clock = socket.app.state.clock
    async with socket.app.state.session_maker() as db:
        try:
            patient = await get_patient_for(db, actor, patient_id)
        except BedsideError:
            await socket.close(code=CLOSE_FORBIDDEN, reason="Not your patient.")
            return
        if actor.role == Role.hospice and not patient.comfort_care:
            await socket.close(code=CLOSE_FORBIDDEN, reason="Not a comfort-care patient.")
            return
        await _audit_stream(db, actor, "ComfortLog", patient_id)

    async def snapshot() -> str:
        async with socket.app.state.session_maker() as db:
            return await render_comfort_log(db, socket.app.state.jinja_env, patient, clock)

    await stream(socket, [comfort_log_channel(patient_id)], snapshot)
